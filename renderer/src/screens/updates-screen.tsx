import type { DeviceEntry, UnitPush, UnitUpdateView } from '@pitwall/protocol';
import { describeError } from '../error-messages.js';
import { useDevices } from '../store/devices-store.js';
import { useUpdates } from '../store/updates-store.js';

const pct = (f: number) => `${Math.floor(Math.max(0, Math.min(1, f)) * 100)}%`;

function Bar({ fraction, label }: { fraction: number; label: string }) {
  return (
    <div className="update-bar" role="progressbar" aria-label={label} aria-valuenow={Math.round(fraction * 100)} aria-valuemin={0} aria-valuemax={100}>
      <div className="update-bar-fill" style={{ width: pct(fraction) }} />
    </div>
  );
}

/** What one unit's update is now, in words: the push's phase until installed, then the unit's own state. */
function stateText(push: UnitPush | undefined, view: UnitUpdateView | undefined): { text: string; tone: string } {
  const st = view?.status;
  if (st && view && (push?.phase === 'installed' || !push)) {
    if (st.operation === 'rolled-back') return { text: `rolled back: ${st.lastError ?? st.bootFailures.at(-1) ?? 'no reason given'}`, tone: 'bad' };
    if (st.operation === 'failed') return { text: `failed: ${st.lastError ?? 'no reason given'}`, tone: 'bad' };
    if (st.operation === 'committed') return { text: `committed ${st.targetVersion ?? ''}`, tone: 'ok' };
    if (st.operation === 'trying') return { text: `trying ${st.targetVersion ?? ''} in slot ${st.tried ?? '?'}`, tone: 'warn' };
    if (st.operation === 'rebooting') return { text: `installed ${st.targetVersion ?? ''}; rebooting into it`, tone: 'warn' };
    if (st.operation !== 'idle') return { text: st.operation, tone: 'warn' };
  }
  if (!push) return { text: view?.unreachable ? 'no answer' : '', tone: '' };
  if (push.phase === 'refused') return { text: push.error ?? 'refused', tone: 'bad' };
  if (push.phase === 'sending') return { text: `sending ${pct(push.sent / Math.max(1, push.total))}`, tone: '' };
  return { text: push.phase, tone: push.phase === 'installed' ? 'ok' : '' };
}

function BundleFacts() {
  const bundle = useUpdates((s) => s.bundle);
  if (!bundle) return null;
  return (
    <dl className="panel-facts update-facts" data-testid="bundle-facts">
      <div><dt>Version</dt><dd className="mono">{bundle.runtimeVersion}</dd></div>
      <div><dt>Models</dt><dd>{bundle.models.join(', ')}</dd></div>
      <div><dt>Replaces from</dt><dd className="mono">{bundle.minReplaceVersion}</dd></div>
      <div><dt>Size</dt><dd>{(bundle.sizeB / 1e6).toFixed(1)} MB</dd></div>
      <div><dt>Signer key</dt><dd className="mono">{bundle.signerKeyId ? bundle.signerKeyId.slice(0, 16) : 'unsigned'}</dd></div>
      <div>
        <dt>Signature</dt>
        <dd data-testid="bundle-verified" className={bundle.verified ? 'tone-ok' : 'tone-warn'}>
          {bundle.verified ? 'verified against this companion’s vendor keys' : `not verified: ${bundle.verifyNote ?? ''}`}
        </dd>
      </div>
    </dl>
  );
}

function UnitRow({ unit }: { unit: DeviceEntry }) {
  const { chosen, toggle, progress, states } = useUpdates();
  const push = progress?.units.find((u) => u.unitId === unit.id);
  const view = states[unit.id];
  const paired = unit.pairing.state === 'paired';
  const { text, tone } = stateText(push, view);
  return (
    <tr data-testid="update-unit" data-unit={unit.name}>
      <td>
        <label className="update-pick">
          <input type="checkbox" disabled={!paired || !unit.online} checked={chosen.includes(unit.id)} onChange={() => toggle(unit.id)} />
          <span>{unit.name}</span>
        </label>
      </td>
      <td className="mono small">{unit.firmware}</td>
      <td>{push ? <Bar fraction={push.phase === 'refused' ? 0 : push.sent / Math.max(1, push.total)} label={`${unit.name} sent`} /> : null}</td>
      <td data-testid="update-state" className={tone ? `tone-${tone}` : 'muted'}>{text || (paired ? (unit.online ? '' : 'offline') : 'not paired')}</td>
    </tr>
  );
}

export function UpdatesScreen() {
  const { path, setPath, inspect, inspecting, bundle, chosen, push, pushing, progress, error } = useUpdates();
  const devices = useDevices((s) => s.devices);
  return (
    <div className="updates-screen pad">
      <section className="update-pick-bundle">
        <h2>Update bundle</h2>
        <form
          className="update-path"
          onSubmit={(e) => {
            e.preventDefault();
            void inspect();
          }}
        >
          <input className="text-input mono" aria-label="Bundle file" placeholder="/path/to/runtime-1.2.0.pwb" value={path} onChange={(e) => setPath(e.target.value)} data-testid="bundle-path" />
          <button type="submit" className="btn btn-ghost" disabled={!path.trim() || inspecting} data-testid="bundle-open">
            {inspecting ? 'Checking…' : 'Open'}
          </button>
        </form>
        <BundleFacts />
      </section>
      {error && <p className="inline-error" data-testid="update-error">{describeError(error).detail ?? describeError(error).sentence}</p>}
      <section>
        <div className="update-head">
          <h2>Units</h2>
          <button type="button" className="btn btn-primary" disabled={!bundle || chosen.length === 0 || pushing} onClick={() => void push()} data-testid="update-push">
            {pushing ? 'Pushing…' : `Push to ${chosen.length} unit${chosen.length === 1 ? '' : 's'}`}
          </button>
        </div>
        {progress && (
          <div className="update-overall" data-testid="update-overall">
            <span className="small muted">Overall {pct(progress.overall)}</span>
            <Bar fraction={progress.overall} label="overall" />
          </div>
        )}
        <table className="update-table">
          <thead>
            <tr><th>Unit</th><th>Runtime</th><th>Sent</th><th>State</th></tr>
          </thead>
          <tbody>
            {devices.map((d) => (
              <UnitRow key={d.id} unit={d} />
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
