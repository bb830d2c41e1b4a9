import { useState } from 'react';
import type { CallError, MethodParams, MethodResult } from '@pitwall/protocol';
import { call } from '../api.js';
import { describeError } from '../error-messages.js';

type Access = MethodParams<'support:export-list'>['access'];
type Listing = MethodResult<'support:export-list'>;
type Saved = MethodResult<'support:export-get'>;

const KEY_FILE = 'pitwall.support.keyFile';
const USER = 'pitwall.support.exportUser';
const size = (b: number) => (b >= 1048576 ? `${(b / 1048576).toFixed(1)} MB` : b >= 1024 ? `${(b / 1024).toFixed(1)} kB` : `${b} B`);
const remembered = (key: string, fallback: string) => {
  try {
    return localStorage.getItem(key) ?? fallback;
  } catch {
    return fallback;
  }
};
const remember = (key: string, value: string) => {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* storage off: nothing remembered */
  }
};
// The companion's message is the sentence for these calls (relay, key, support state); the generic one otherwise.
const sentence = (e: CallError) => describeError(e).detail ?? describeError(e).sentence;

/**
 * Support staff's view of a unit's read-only export through the relay (support on, tunnel up):
 * browse its folders, download a file, or make a diagnostics archive of all of it. The companion
 * does the sftp (the same functions as `pitwall support ls|get|archive`); in browser mode the
 * file comes as a download, in the desktop app into a folder the user picks.
 */
export function SupportExportBrowser({ unitId, listenPort }: { unitId: string; listenPort: number }) {
  const [relay, setRelay] = useState(`127.0.0.1:${listenPort}`);
  const [keyFile, setKeyFile] = useState(() => remembered(KEY_FILE, ''));
  const [user, setUser] = useState(() => remembered(USER, 'pitwall-support'));
  const [listing, setListing] = useState<Listing | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const access = (): Access => ({ relay: relay.trim(), keyFile: keyFile.trim(), ...(user.trim() ? { user: user.trim() } : {}) });

  const open = async (path: string) => {
    setBusy(true);
    setError(null);
    const res = await call('support:export-list', { id: unitId, access: access(), path });
    setBusy(false);
    if (!res.ok) return setError(sentence(res.error));
    remember(KEY_FILE, keyFile.trim());
    remember(USER, user.trim());
    setListing(res.value);
  };
  const deliver = (saved: Saved, what: string) => {
    if (saved.downloadUrl) {
      const a = document.createElement('a');
      a.href = saved.downloadUrl;
      a.download = saved.name;
      document.body.append(a);
      a.click();
      a.remove();
      setNotice(`${what} ${saved.name} (${size(saved.bytes)}) is downloading.`);
    } else if (saved.savedTo) setNotice(`${what} saved to ${saved.savedTo} (${size(saved.bytes)}).`);
    else setNotice(`${what} not saved: no folder chosen.`);
  };
  const save = async (fn: () => ReturnType<typeof call<'support:export-get'>>, what: string) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    const res = await fn();
    setBusy(false);
    if (res.ok) deliver(res.value, what);
    else setError(sentence(res.error));
  };

  const segments = listing ? listing.path.split('/').filter(Boolean) : [];
  const here = (name: string) => [...segments, name].join('/');
  return (
    <div className="support-export" data-testid="support-export">
      <h4>Unit&apos;s export through the relay</h4>
      <div className="support-export-access">
        <label>
          Relay (listen port as reachable from here)
          <input className="text-input mono" value={relay} onChange={(e) => setRelay(e.target.value)} data-testid="support-export-relay" spellCheck={false} />
        </label>
        <label>
          Your support key file
          <input className="text-input mono" value={keyFile} placeholder="/home/you/.ssh/pitwall_support" onChange={(e) => setKeyFile(e.target.value)} data-testid="support-export-key" spellCheck={false} />
        </label>
        <label>
          Export account
          <input className="text-input mono" value={user} onChange={(e) => setUser(e.target.value)} data-testid="support-export-user" spellCheck={false} />
        </label>
        <button type="button" className="btn btn-primary btn-small" disabled={busy || keyFile.trim() === ''} onClick={() => void open(listing?.path ?? '')} data-testid="support-export-open">
          {listing ? 'Refresh' : 'Open export'}
        </button>
      </div>
      {listing && (
        <>
          <nav className="support-export-path mono" data-testid="support-export-path">
            <button type="button" className="btn btn-ghost btn-small" disabled={busy} onClick={() => void open('')}>
              export
            </button>
            {segments.map((s, i) => (
              <span key={i}>
                {' / '}
                <button type="button" className="btn btn-ghost btn-small" disabled={busy} onClick={() => void open(segments.slice(0, i + 1).join('/'))}>
                  {s}
                </button>
              </span>
            ))}
          </nav>
          <table className="lap-table support-export-list" data-testid="support-export-list">
            <tbody>
              {segments.length > 0 && (
                <tr>
                  <td colSpan={3}>
                    <button type="button" className="btn btn-ghost btn-small" disabled={busy} onClick={() => void open(segments.slice(0, -1).join('/'))} data-testid="support-export-up">
                      ↑ up
                    </button>
                  </td>
                </tr>
              )}
              {listing.entries.map((e) => (
                <tr key={e.name} data-testid="support-export-entry" data-name={e.name} data-kind={e.kind}>
                  <td className="mono">
                    {e.kind === 'folder' ? (
                      <button type="button" className="btn btn-ghost btn-small" disabled={busy} onClick={() => void open(here(e.name))}>
                        📁 {e.name}/
                      </button>
                    ) : (
                      e.name
                    )}
                  </td>
                  <td className="muted">{e.kind === 'file' ? size(e.bytes) : e.kind === 'other' ? 'not a file' : ''}</td>
                  <td>
                    {e.kind === 'file' && (
                      <button type="button" className="btn btn-ghost btn-small" disabled={busy} onClick={() => void save(() => call('support:export-get', { id: unitId, access: access(), path: here(e.name) }), 'File')} data-testid="support-export-get">
                        Download
                      </button>
                    )}
                  </td>
                </tr>
              ))}
              {listing.entries.length === 0 && (
                <tr>
                  <td colSpan={3} className="muted">
                    This folder is empty.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          {listing.refused > 0 && <p className="muted">{listing.refused} entries of this folder were refused (unsafe or unreadable names).</p>}
          <button type="button" className="btn btn-ghost btn-small support-export-make" disabled={busy} onClick={() => void save(() => call('support:export-archive', { id: unitId, access: access() }), 'Archive')} data-testid="support-export-archive">
            Make a diagnostics archive of the export
          </button>
        </>
      )}
      {busy && <p className="muted">Working through the relay…</p>}
      {notice && (
        <p className="support-export-notice" data-testid="support-export-notice">
          {notice}
        </p>
      )}
      {error && (
        <p className="inline-error" data-testid="support-export-error">
          {error}
        </p>
      )}
    </div>
  );
}
