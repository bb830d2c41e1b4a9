import type { DeviceEntry, LicenseStatus } from '@pitwall/protocol';
import { ago } from '../format.js';
import { daysText, stateLook } from '../license/license-gates.js';
import { useLicenses } from '../store/license-store.js';

const day = (t: string | null) => (t ? t.slice(0, 10) : '—');

function Features({ status }: { status: LicenseStatus }) {
  if (status.licensedFeatures.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="license-features" data-testid="license-features">
      {status.licensedFeatures.map((f) => {
        const on = status.features.includes(f);
        return (
          <li key={f} className={on ? 'is-on' : 'is-off'} title={on ? 'in force' : 'listed, not in force now'}>
            {f}
          </li>
        );
      })}
    </ul>
  );
}

/** The unit panel's licence: state and why, days left, features, dates, the trusted clock, and installing a new one. */
export function LicenseSection({ device, now }: { device: DeviceEntry; now: number }) {
  const view = useLicenses((s) => s.views[device.id]);
  const openDialog = useLicenses((s) => s.openDialog);
  const status = view?.status ?? null;
  const { label, tone } = stateLook(status);
  const canInstall = device.online && device.pairing.state === 'paired' && (device.pairing.role === 'owner' || device.pairing.role === 'dealer');
  return (
    <section className="license-section" data-testid="license-section" data-state={status?.state ?? 'unknown'}>
      <div className="license-head">
        <h3>Licence</h3>
        {canInstall && (
          <button type="button" className="btn btn-ghost" onClick={() => openDialog([device.id])} data-testid="license-install-open">
            Install licence…
          </button>
        )}
      </div>
      {!status ? (
        <p className="muted" data-testid="license-unknown">
          {device.pairing.state === 'paired' ? 'Not heard yet: the unit reports its licence once it is online.' : 'Pair this unit to see its licence.'}
        </p>
      ) : (
        <>
          <p className={`license-state tone-${tone}`} data-testid="license-state">
            <strong>{label}</strong>
            {daysText(status) && <span data-testid="license-days"> · {daysText(status)}</span>}
          </p>
          <p className="license-reason" data-testid="license-reason">{status.reason}</p>
          {status.enforced === false && status.state !== 'none' && (
            <p className="muted small" data-testid="license-not-enforced">Licensing not enforced (simulator): the unit refuses nothing, whatever this licence says.</p>
          )}
          {status.clock.tampered && (
            <p className="alert alert-warn license-tamper-warning" role="alert" data-testid="license-tamper">
              The unit found its clock set back{status.clock.tamperedAt ? ` (${status.clock.tamperedAt.slice(0, 16).replace('T', ' ')})` : ''}: the licence counts from the latest time it trusted ({status.clock.now.slice(0, 16).replace('T', ' ')}, {status.clock.source}).
            </p>
          )}
          <dl className="panel-facts license-facts">
            <div><dt>Licence</dt><dd className="mono">{status.licenseId ?? '—'}</dd></div>
            <div><dt>Features</dt><dd><Features status={status} /></dd></div>
            <div><dt>Period</dt><dd>{day(status.starts)} – {day(status.expires)}</dd></div>
            <div><dt>Grace ends</dt><dd>{day(status.graceEnds)}</dd></div>
            <div><dt>Renew file by</dt><dd>{day(status.refreshBy)}</dd></div>
            <div><dt>Revocation list</dt><dd>{status.revocationListNumber === 0 ? 'none' : `#${status.revocationListNumber}`}</dd></div>
          </dl>
          {view?.seenAt && !device.online && <p className="muted small" data-testid="license-seen">As reported {ago(view.seenAt, now)}.</p>}
        </>
      )}
    </section>
  );
}
