import { useCallback, useEffect, useState } from 'react';
import type { OwnTrackDetail } from '@pitwall/protocol';
import { call } from '../api.js';
import { MergeChanges } from './merge-changes.js';

function OwnTrackCard({ track, reload }: { track: OwnTrackDetail; reload: () => void }) {
  const [name, setName] = useState(track.name);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setName(track.name), [track.name]);
  const rename = async (to: string) => {
    const res = await call('tracks:rename', { id: track.id, name: to });
    setError(res.ok ? null : res.error.message);
    if (res.ok) reload();
  };
  const by = track.nameBy === track.thisLaptop ? 'this laptop' : track.nameBy;
  return (
    <li className="own-track-card" data-testid="own-track-card">
      <div className="own-track-head">
        <strong data-testid="own-track-title">{track.name}</strong>
        <span className="dim">
          {(track.lengthM / 1000).toFixed(2)} km · named by {by}
        </span>
      </div>
      <dl className="own-track-ids">
        <dt>Track id</dt>
        <dd className="mono" data-testid="own-track-signature">{track.signatureId ?? 'none (no outline)'}</dd>
        {track.resolvedId && track.resolvedId !== track.signatureId && (
          <>
            <dt>Same track as</dt>
            <dd className="mono" data-testid="own-track-resolved">{track.resolvedId}</dd>
          </>
        )}
      </dl>
      <MergeChanges
        title="Merged from other laptops"
        changes={track.changes}
        thisLaptop={track.thisLaptop}
        action={(c) =>
          c.field === 'name' &&
          c.from !== null &&
          c.from !== track.name && (
            <button type="button" className="btn btn-ghost" onClick={() => void rename(c.from!)} data-testid="merge-change-undo">
              Use “{c.from}” again
            </button>
          )
        }
      />
      <form
        className="own-track-rename"
        onSubmit={(e) => {
          e.preventDefault();
          void rename(name.trim());
        }}
      >
        <input className="text-input" value={name} maxLength={80} onChange={(e) => setName(e.target.value)} aria-label="Track name" data-testid="own-track-rename-input" />
        <button type="submit" className="btn btn-ghost" disabled={name.trim() === '' || name.trim() === track.name} data-testid="own-track-rename">
          Change name
        </button>
      </form>
      {error && (
        <p className="error-line" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

/**
 * The tracks drawn on this laptop: the id each has from its geometry, what merges from other
 * laptops changed (whose edit, when) and a way to change it, which is a new edit from here.
 */
export function OwnTracksPanel({ refreshKey }: { refreshKey: unknown }) {
  const [tracks, setTracks] = useState<OwnTrackDetail[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    void call('tracks:own', {}).then((res) => {
      if (res.ok) setTracks(res.value);
      setError(res.ok ? null : res.error.message);
    });
  }, []);
  useEffect(reload, [reload, refreshKey]);
  if (error) return <p className="error-line">{error}</p>;
  if (!tracks || tracks.length === 0) return null;
  return (
    <section className="own-tracks-panel" aria-label="My tracks" data-testid="own-tracks-panel">
      <h3>My tracks</h3>
      <ul>
        {tracks.map((t) => (
          <OwnTrackCard key={t.id} track={t} reload={reload} />
        ))}
      </ul>
    </section>
  );
}
