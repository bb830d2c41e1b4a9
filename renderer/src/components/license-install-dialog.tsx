import type { LicenseFileSummary } from '@pitwall/protocol';
import { describeError } from '../error-messages.js';
import { stateLook } from '../license/license-gates.js';
import { useDevices } from '../store/devices-store.js';
import { useLicenses } from '../store/license-store.js';

const scopeText = (s: LicenseFileSummary['scope']) => ('unitId' in s ? `unit ${s.unitId}` : `model ${s.model}${s.fleet ? `, fleet ${s.fleet}` : ''}`);

function FileFacts({ file }: { file: LicenseFileSummary }) {
  return (
    <dl className="panel-facts license-file-facts" data-testid="license-file-facts">
      <div><dt>Licence</dt><dd className="mono" data-testid="license-file-id">{file.licenseId}</dd></div>
      <div><dt>For</dt><dd data-testid="license-file-scope">{scopeText(file.scope)}</dd></div>
      <div><dt>Features</dt><dd data-testid="license-file-features">{file.features.join(', ') || 'none'}</dd></div>
      <div><dt>Period</dt><dd>{file.starts.slice(0, 10)} – {file.expires.slice(0, 10)} (+{file.graceDays} days grace)</dd></div>
      <div><dt>Signer key</dt><dd className="mono">{file.signerKeyId.slice(0, 16)}</dd></div>
      <div>
        <dt>Signature</dt>
        <dd data-testid="license-file-verified" className={file.verified ? 'tone-ok' : 'tone-warn'}>
          {file.verified ? 'verified against this companion’s vendor keys' : `not verified: ${file.verifyNote ?? ''}`}
        </dd>
      </div>
    </dl>
  );
}

/** A dealer installs one licence file on one unit or many: pick the file, see what it is, choose units, a result per unit. */
export function LicenseInstallDialog() {
  const s = useLicenses();
  const devices = useDevices((d) => d.devices);
  if (!s.dialog) return null;
  const chosen = s.dialog.unitIds;
  const eligible = devices.filter((d) => d.pairing.state === 'paired');
  const outcome = (id: string) => s.outcomes?.find((o) => o.unitId === id);
  const error = s.dialogError ? describeError(s.dialogError) : null;
  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && !s.installing && s.closeDialog()}>
      <div className="dialog license-dialog" role="dialog" aria-modal="true" aria-labelledby="license-dialog-title" data-testid="license-dialog">
        <h2 id="license-dialog-title">Install a licence</h2>
        <p className="dialog-lead">The units check the signature and the scope themselves; a refused file leaves their licence as it was.</p>
        <form
          className="update-path"
          onSubmit={(e) => {
            e.preventDefault();
            void s.inspect();
          }}
        >
          <input className="text-input mono" aria-label="Licence file" placeholder="/path/to/licence.json" value={s.path} onChange={(e) => s.setPath(e.target.value)} data-testid="license-path" />
          <button type="submit" className="btn btn-ghost" disabled={!s.path.trim() || s.inspecting} data-testid="license-open">
            {s.inspecting ? 'Checking…' : 'Open'}
          </button>
        </form>
        {s.file && <FileFacts file={s.file} />}
        <table className="update-table license-units">
          <thead>
            <tr><th>Unit</th><th>Now</th><th>Result</th></tr>
          </thead>
          <tbody>
            {eligible.map((d) => {
              const o = outcome(d.id);
              const allowed = d.online && (d.pairing.role === 'owner' || d.pairing.role === 'dealer');
              const now = stateLook(s.views[d.id]?.status);
              return (
                <tr key={d.id} data-testid="license-unit" data-unit={d.name}>
                  <td>
                    <label className="update-pick" title={allowed ? undefined : d.online ? `paired as ${d.pairing.role ?? '?'}: only an owner or dealer installs licences` : 'offline'}>
                      <input type="checkbox" disabled={!allowed} checked={chosen.includes(d.id)} onChange={() => s.toggle(d.id)} />
                      <span>{d.name}</span>
                    </label>
                  </td>
                  <td className={`tone-${now.tone}`}>{now.label}</td>
                  <td data-testid="license-result" className={o ? (o.ok ? 'tone-ok' : 'tone-bad') : 'muted'}>
                    {o ? (o.ok ? `installed: ${o.status ? stateLook(o.status).label : ''}` : `refused: ${o.error ?? ''}`) : allowed ? '' : d.online ? `${d.pairing.role ?? ''} cannot install` : 'offline'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {error && (
          <div className="alert alert-error" role="alert" data-testid="license-dialog-error">
            {error.detail ?? error.sentence}
          </div>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn btn-ghost" onClick={s.closeDialog} disabled={s.installing}>
            {s.outcomes ? 'Done' : 'Cancel'}
          </button>
          <button type="button" className="btn btn-primary" disabled={!s.file || chosen.length === 0 || s.installing} onClick={() => void s.install()} data-testid="license-install">
            {s.installing ? 'Installing…' : `Install on ${chosen.length} unit${chosen.length === 1 ? '' : 's'}`}
          </button>
        </div>
      </div>
    </div>
  );
}
