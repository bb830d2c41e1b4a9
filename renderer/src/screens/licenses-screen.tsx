import { useEffect } from 'react';
import type { DeviceEntry, UnitLicenseView } from '@pitwall/protocol';
import { describeError } from '../error-messages.js';
import { ago } from '../format.js';
import { daysText, EXPIRING_DAYS, stateLook, urgency } from '../license/license-gates.js';
import { useDevices } from '../store/devices-store.js';
import { useLicenses } from '../store/license-store.js';
import { useNow } from '../use-now.js';

function Row({ unit, view, now }: { unit: DeviceEntry; view: UnitLicenseView | undefined; now: number }) {
  const st = view?.status ?? null;
  const { label, tone } = stateLook(st);
  const expiring = st?.state === 'active' && st.daysLeft !== null && st.daysLeft <= EXPIRING_DAYS;
  const flagged = st !== null && st.state !== 'active' && st.state !== 'none';
  return (
    <tr className={`license-row ${flagged ? `is-${st.state}` : ''} ${expiring ? 'is-expiring' : ''}`} data-testid="license-row" data-unit={unit.name} data-state={st?.state ?? 'unknown'}>
      <td>{unit.name}</td>
      <td className={`tone-${tone}`}>
        <strong>{label}</strong>
        {st?.clock.tampered && <span className="tone-warn" title="the unit's clock was set back"> · clock set back</span>}
      </td>
      <td data-testid="license-row-days">{daysText(st) || '—'}</td>
      <td className="mono small">{st?.expires?.slice(0, 10) ?? '—'}</td>
      <td className="small">{st?.licensedFeatures.join(', ') || '—'}</td>
      <td className="small muted license-row-reason">{st?.reason ?? (unit.pairing.state === 'paired' ? 'not heard yet' : 'not paired')}</td>
      <td className="small muted">{view?.seenAt ? (unit.online ? 'now' : ago(view.seenAt, now)) : '—'}</td>
    </tr>
  );
}

/** The fleet's licences, the ones that need a dealer first: from what each unit last reported (offline too). */
export function LicensesScreen() {
  const { views, held, refreshing, error, load, refresh, openDialog, importPath, setImportPath, importRevocations } = useLicenses();
  const devices = useDevices((s) => s.devices);
  const now = useNow(5000);
  useEffect(() => void load(), [load]);
  const rows = [...devices].sort((a, b) => urgency(views[a.id]?.status) - urgency(views[b.id]?.status) || a.name.localeCompare(b.name));
  const needing = rows.filter((d) => {
    const st = views[d.id]?.status;
    return st && (st.state !== 'active' || (st.daysLeft ?? 0) <= EXPIRING_DAYS) && st.state !== 'none';
  }).length;
  const err = error ? describeError(error) : null;
  return (
    <div className="licenses-screen pad" data-testid="licenses-screen">
      <section>
        <div className="update-head">
          <h2>Licences</h2>
          <span className="muted small" data-testid="licenses-summary">
            {needing === 0 ? 'none expiring within 30 days' : `${needing} need${needing === 1 ? 's' : ''} attention (expiring within ${EXPIRING_DAYS} days, in grace, expired, revoked or invalid)`}
          </span>
          <div className="license-actions">
            <button type="button" className="btn btn-ghost" disabled={refreshing} onClick={() => void refresh()} data-testid="licenses-refresh">
              {refreshing ? 'Asking units…' : 'Ask units now'}
            </button>
            <button type="button" className="btn btn-primary" onClick={() => openDialog([])} data-testid="licenses-install">
              Install licence…
            </button>
          </div>
        </div>
        <table className="update-table license-table">
          <thead>
            <tr><th>Unit</th><th>State</th><th>Left</th><th>Expires</th><th>Features</th><th>Why</th><th>Reported</th></tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <Row key={d.id} unit={d} view={views[d.id]} now={now} />
            ))}
          </tbody>
        </table>
      </section>
      <section className="revocations">
        <h2>Revocation list</h2>
        <p data-testid="revocations-held">
          {held
            ? `Carrying list #${held.number} (${held.revokedCount} revoked, issued ${held.issued.slice(0, 10)}) to every unit with an older one.`
            : 'No revocation list held: import the vendor’s signed list to carry it to your units.'}
        </p>
        <form
          className="update-path"
          onSubmit={(e) => {
            e.preventDefault();
            void importRevocations();
          }}
        >
          <input className="text-input mono" aria-label="Revocation list file" placeholder="/path/to/revocations.json" value={importPath} onChange={(e) => setImportPath(e.target.value)} data-testid="revocations-path" />
          <button type="submit" className="btn btn-ghost" disabled={!importPath.trim()} data-testid="revocations-import">
            Import
          </button>
        </form>
      </section>
      {err && <p className="inline-error" data-testid="licenses-error">{err.detail ?? err.sentence}</p>}
    </div>
  );
}
