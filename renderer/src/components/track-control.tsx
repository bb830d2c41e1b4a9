import type { SessionListEntry } from '@pitwall/protocol';
import { useSessions } from '../store/sessions-store.js';
import { OwnTrackForm } from './own-track-form.js';

/**
 * "Track: Sonoma Raceway — Cup · change": the layout a session was timed on, and a picker of the
 * layouts near where it was driven to re-time it on another (or back to the driven path's choice).
 * Its state is the sessions store's `trackPicker`.
 */
export function TrackControl({ session }: { session: SessionListEntry }) {
  const picker = useSessions((s) => (s.trackPicker?.session === session.id ? s.trackPicker : null));
  const ownForm = useSessions((s) => (s.ownTrackForm?.session === session.id ? s.ownTrackForm : null));
  const { openTrackPicker, pickTrack, closeTrackPicker, applyTrack, openOwnTrackForm } = useSessions();
  const tracks = picker?.tracks ?? null;
  const busy = picker?.busy ?? false;

  return (
    <div className="track-control" data-testid="track-control">
      <h3>
        Track: <span data-testid="track-name">{session.trackName ?? session.trackId ?? 'unknown'}</span>
        {session.trackByHand && <span className="track-by-hand">chosen by hand</span>}
        {tracks === null && (
          <button type="button" className="link-button" onClick={() => void openTrackPicker(session)} data-testid="track-change">
            change
          </button>
        )}
        {tracks === null && ownForm === null && (
          <button type="button" className="link-button" onClick={() => openOwnTrackForm(session)} data-testid="own-track-add">
            Add as my track
          </button>
        )}
      </h3>
      {ownForm && <OwnTrackForm form={ownForm} />}
      {picker && tracks !== null && (
        <div className="track-picker">
          <select value={picker.value} onChange={(e) => pickTrack(e.target.value)} disabled={busy} data-testid="track-select" aria-label="Layout to time this session on">
            <option value="">Automatic: the layout the driven path fits</option>
            {tracks.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name} · {(t.lengthM / 1000).toFixed(2)} km{t.own ? ' · your track' : ''}
              </option>
            ))}
          </select>
          <button type="button" className="btn btn-primary" onClick={() => void applyTrack()} disabled={busy} data-testid="track-apply">
            {busy ? 'Re-timing…' : 'Re-time laps'}
          </button>
          <button type="button" className="btn btn-ghost" onClick={closeTrackPicker} disabled={busy}>
            Cancel
          </button>
        </div>
      )}
      {picker?.error && <p className="error-line">{picker.error.message}</p>}
    </div>
  );
}
