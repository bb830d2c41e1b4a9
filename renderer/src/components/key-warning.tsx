import type { DeviceEntry } from '@pitwall/protocol';

/**
 * The SSH-style warning: the unit presents another key than the one pinned at pairing, or two
 * units claim this id. Red, not dismissable; the only way out is to unpair and pair again.
 */
export function KeyWarning({ device, onUnpair, busy }: { device: DeviceEntry; onUnpair(): void; busy: boolean }) {
  const p = device.pairing;
  const changed = p.state === 'key-changed';
  return (
    <section className="key-warning" role="alert" data-testid="key-warning" data-state={p.state}>
      <h3>{changed ? 'Unit identity has changed' : 'Two units claim to be this unit'}</h3>
      <p>
        {changed
          ? `${device.name} now presents a different identity key than the one pinned when it was paired. Someone could be impersonating the unit, or its key was replaced. Nothing is sent to it and no data is pulled from it.`
          : `A second unit on this network uses the id of ${device.name} but holds a different key. It is never trusted; the paired unit keeps working through its own link.`}
      </p>
      <dl className="fp-compare">
        <div>
          <dt>Expected (pinned at pairing)</dt>
          <dd className="mono" data-testid="fp-expected">{p.pinnedFingerprint ?? '—'}</dd>
        </div>
        <div>
          <dt>{changed ? 'Presented now' : 'Presented by the other unit'}</dt>
          <dd className="mono fp-bad" data-testid="fp-presented">{p.seenFingerprint ?? '—'}</dd>
        </div>
      </dl>
      <p className="key-warning-foot">
        If this is intended — the unit was reset or repaired — unpair it and pair it again over USB or with its pairing button.
        {p.pinnedFingerprint && (
          <button type="button" className="btn btn-danger" onClick={onUnpair} disabled={busy} data-testid="warning-unpair">
            Unpair to re-pair
          </button>
        )}
      </p>
    </section>
  );
}
