import { useState } from 'react';
import type { HubConnection } from '@pitwall/protocol';
import { useHub } from '../../store/hub-store.js';

const day = (ms: number) => new Date(ms).toLocaleString(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });

/** The hub's address and a member token; the token goes to the companion's secret store and never comes back. */
function ConnectForm({ url: initialUrl, onDone }: { url?: string; onDone?: () => void }) {
  const { run, busy } = useHub();
  const [url, setUrl] = useState(initialUrl ?? '');
  const [token, setToken] = useState('');
  const submit = async () => {
    if (await run('hub:connect', { url: url.trim(), token: token.trim() })) {
      setToken('');
      onDone?.();
    }
  };
  return (
    <form
      className="hub-connect-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label>
        Hub address
        <input className="text-input" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://hub.academy.example" spellCheck={false} data-testid="hub-url" />
      </label>
      <label>
        Member token
        <input className="text-input" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} placeholder="pwh_…" data-testid="hub-token" />
      </label>
      <button type="submit" className="btn btn-primary" disabled={busy !== null || url.trim() === '' || token.trim() === ''} data-testid="hub-connect">
        {busy === 'hub:connect' ? 'Checking…' : 'Connect'}
      </button>
      <p className="hint">The academy gives each member a token. It is kept in this computer’s secret store and is not shown again.</p>
    </form>
  );
}

/** The hub's key shows another fingerprint than the pinned one: red, with both to compare; the way out is to forget and connect again. */
function HubKeyWarning({ c }: { c: HubConnection }) {
  return (
    <section className="key-warning" role="alert" data-testid="hub-key-warning">
      <h3>The hub’s key has changed</h3>
      <p>
        The server at {c.url} now presents another signing key than the one pinned when this computer first connected. Another server may be standing in its place: the member token
        and sessions are not sent to it.
      </p>
      <dl className="fp-compare">
        <div>
          <dt>Expected (pinned {day(c.pinnedAt)})</dt>
          <dd className="mono" data-testid="hub-fp-pinned">{c.fingerprint}</dd>
        </div>
        <div>
          <dt>Presented now</dt>
          <dd className="mono fp-bad" data-testid="hub-fp-presented">{c.presentedFingerprint}</dd>
        </div>
      </dl>
      <p className="key-warning-foot">If the hub’s operator confirms the key was changed, forget this hub and connect again; compare the new fingerprint with the one they give you.</p>
    </section>
  );
}

export function HubConnectPanel() {
  const { status, run, busy } = useHub();
  const [changingToken, setChangingToken] = useState(false);
  const c = status?.connection ?? null;
  if (!c) {
    return (
      <section className="hub-card" data-testid="hub-connect-panel">
        <h3 className="section-title">Connect to a hub</h3>
        <ConnectForm />
      </section>
    );
  }
  return (
    <section className="hub-card" data-testid="hub-connection">
      <h3 className="section-title">Connection</h3>
      {c.presentedFingerprint && <HubKeyWarning c={c} />}
      <dl className="hub-facts">
        <dt>Address</dt>
        <dd className="mono" data-testid="hub-connected-url">{c.url}</dd>
        <dt>Member</dt>
        <dd data-testid="hub-member">{c.member ? `${c.member.name} · ${c.member.organisation}` : '–'}</dd>
        <dt>Hub key</dt>
        <dd>
          <span className="mono" data-testid="hub-fingerprint">{c.fingerprint}</span>
          <span className="dim"> pinned {day(c.pinnedAt)} · compare it with the one the academy gives you</span>
        </dd>
        <dt>Token</dt>
        <dd data-testid="hub-token-state">{c.tokenSet ? 'token set' : 'no token: connect again with one'}</dd>
      </dl>
      {c.warning && (
        <p className="alert-warn" data-testid="hub-plain-http">
          {c.warning}
        </p>
      )}
      {changingToken ? (
        <ConnectForm url={c.url} onDone={() => setChangingToken(false)} />
      ) : (
        <div className="hub-actions">
          <button type="button" className="btn btn-ghost" disabled={busy !== null} onClick={() => void run('hub:connect', { url: c.url })} data-testid="hub-check">
            {busy === 'hub:connect' ? 'Checking…' : 'Check the hub'}
          </button>
          <button type="button" className="btn btn-ghost" disabled={busy !== null} onClick={() => setChangingToken(true)} data-testid="hub-change-token">
            Change token
          </button>
          <button
            type="button"
            className="btn btn-danger"
            disabled={busy !== null}
            onClick={() => window.confirm(`Forget ${c.url}? Its pinned key, the token, the groups and the sessions waiting to be shared are removed from this computer.`) && void run('hub:forget', {})}
            data-testid="hub-forget"
          >
            Forget this hub
          </button>
        </div>
      )}
    </section>
  );
}
