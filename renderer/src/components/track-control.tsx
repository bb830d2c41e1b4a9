import { useState } from 'react';
import type { SessionLaps, SessionListEntry, TrackEntry } from '@pitwall/protocol';
import { call } from '../api.js';

const AUTO = '';

/**
 * "Track: Sonoma Raceway — Cup · change": the layout a session was timed on, and a picker of the
 * layouts near where it was driven to re-time it on another (or back to the driven path's choice).
 */
export function TrackControl({ session, onRetimed }: { session: SessionListEntry; onRetimed: (laps: SessionLaps) => void }) {
  const [tracks, setTracks] = useState<TrackEntry[] | null>(null);
  const [value, setValue] = useState(AUTO);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const open = async () => {
    setError(null);
    setValue(session.trackByHand && session.trackId ? session.trackId : AUTO);
    const res = await call('tracks:list', { session: session.id });
    if (res.ok) setTracks(res.value);
    else setError(res.error.message);
  };
  const apply = async () => {
    setBusy(true);
    setError(null);
    const set = await call('sessions:set-track', { session: session.id, trackId: value === AUTO ? null : value });
    const laps = set.ok ? await call('sessions:laps', { session: session.id }) : set;
    setBusy(false);
    if (!laps.ok) return setError(laps.error.message);
    setTracks(null);
    onRetimed(laps.value);
  };

  return (
    <div className="track-control" data-testid="track-control">
      <h3>
        Track: <span data-testid="track-name">{session.trackName ?? session.trackId ?? 'unknown'}</span>
        {session.trackByHand && <span className="track-by-hand">chosen by hand</span>}
        {tracks === null && (
          <button type="button" className="link-button" onClick={() => void open()} data-testid="track-change">
            change
          </button>
        )}
      </h3>
      {tracks !== null && (
        <div className="track-picker">
          <select value={value} onChange={(e) => setValue(e.target.value)} disabled={busy} data-testid="track-select" aria-label="Layout to time this session on">
            <option value={AUTO}>Automatic: the layout the driven path fits</option>
            {tracks.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name} · {(t.lengthM / 1000).toFixed(2)} km{t.own ? ' · your track' : ''}
              </option>
            ))}
          </select>
          <button type="button" className="btn btn-primary" onClick={() => void apply()} disabled={busy} data-testid="track-apply">
            {busy ? 'Re-timing…' : 'Re-time laps'}
          </button>
          <button type="button" className="btn btn-ghost" onClick={() => setTracks(null)} disabled={busy}>
            Cancel
          </button>
        </div>
      )}
      {error && <p className="error-line">{error}</p>}
    </div>
  );
}
