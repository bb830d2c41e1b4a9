import { useEffect, useMemo } from 'react';
import { formatLapTime, type SessionLaps, type SessionListEntry } from '@pitwall/protocol';
import { DeltaByDistance, LAP_COLOURS, SpeedByDistance, type ChosenTrace } from '../components/session-charts.js';
import { TrackMap } from '../components/session-track-map.js';
import { LapComparison } from '../components/lap-comparison.js';
import { TrackControl } from '../components/track-control.js';
import { OwnTracksPanel } from '../components/own-tracks-panel.js';
import { keyOf, traceKey, useSessions, type Chosen } from '../store/sessions-store.js';

const fmtLap = (ms: number | null | undefined) => formatLapTime(ms);
const fmtDate = (t: number) => new Date(t).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
const fmtTime = (t: number) => new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
const trackLabel = (s: SessionListEntry) => s.trackName ?? s.trackId ?? 'Unknown track';

function SyncBar() {
  const { busy, progress, note } = useSessions((s) => s.sync);
  const start = useSessions((s) => s.startSync);
  const pct = progress && progress.bytesTotal > 0 ? Math.round((100 * progress.bytesDone) / progress.bytesTotal) : null;
  return (
    <div className="sync-bar" data-testid="sync-bar">
      <button type="button" className="btn btn-primary" onClick={() => void start()} disabled={busy} data-testid="sync-button">
        {busy ? 'Syncing…' : 'Sync sessions'}
      </button>
      {busy && pct !== null && (
        <span className="sync-progress">
          <span className="bar">
            <span style={{ width: `${pct}%` }} />
          </span>
          {pct}% · {progress!.units.map((u) => `${u.unitName} ${u.sessionsDone}/${u.sessionsTotal}`).join(' · ')}
        </span>
      )}
      {!busy && note && <span className="sync-note">{note}</span>}
    </div>
  );
}

function SessionList({ sessions, selected, onSelect }: { sessions: SessionListEntry[]; selected: number | null; onSelect: (id: number) => void }) {
  const byDate = new Map<string, SessionListEntry[]>();
  for (const s of sessions) {
    const d = fmtDate(s.startedAt);
    byDate.set(d, [...(byDate.get(d) ?? []), s]);
  }
  return (
    <section className="session-list" aria-label="Sessions" data-testid="session-list">
      {[...byDate].map(([date, list]) => (
        <div key={date} className="session-day">
          <h3>{date}</h3>
          {list.map((s) => (
            <button type="button" key={s.id} className={`session-row ${s.id === selected ? 'selected' : ''}`} onClick={() => onSelect(s.id)} data-testid="session-row">
              <span className="session-track">{trackLabel(s)}</span>
              <span className="session-best">{fmtLap(s.bestLapMs)}</span>
              <span className="session-meta">
                {fmtTime(s.startedAt)} · {s.driver ?? 'No driver'} · {s.unitName}
              </span>
              <span className="session-laps">{s.laps} laps</span>
            </button>
          ))}
        </div>
      ))}
    </section>
  );
}

function LapTable({ data, chosen, toggle, showWhole }: { data: SessionLaps; chosen: Chosen[]; toggle: (c: Chosen) => void; showWhole: () => void }) {
  const n = Math.max(0, ...data.laps.map((l) => l.sectorsMs.length));
  return (
    <table className="lap-table" data-testid="lap-table">
      <caption>
        <button type="button" className="btn btn-small" aria-pressed={chosen.length === 1 && chosen[0]!.lap === 0} onClick={showWhole} data-testid="whole-session">
          Chart the whole session
        </button>
      </caption>
      <thead>
        <tr>
          <th />
          <th>Lap</th>
          <th>Time</th>
          {Array.from({ length: n }, (_, i) => (
            <th key={i}>S{i + 1}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {data.laps.map((l, i) => {
          const c = { session: data.session.id, lap: l.lap };
          const at = chosen.findIndex((x) => keyOf(x) === keyOf(c));
          return (
            <tr key={l.lap} className={i === data.bestIndex ? 'best' : ''}>
              <td>
                <button type="button" className="lap-pick" aria-pressed={at >= 0} style={at >= 0 ? { background: LAP_COLOURS[at % LAP_COLOURS.length] } : undefined} onClick={() => toggle(c)} aria-label={`Chart lap ${l.lap}`} />
              </td>
              <td>{l.lap}</td>
              <td className="mono">{fmtLap(l.timeMs)}</td>
              {l.sectorsMs.map((s, k) => (
                <td key={k} className={`mono ${s === data.bestSectorsMs[k] ? 'best-sector' : ''}`}>
                  {fmtLap(s)}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function SessionsScreen() {
  const { sessions, error, selected, laps, chosen, traces, mapMode, load, select, toggle, showWhole, addOther, setMapMode, replaceChosen } = useSessions();
  useEffect(() => void load(), [load]);

  const current = selected !== null ? laps[selected] : undefined;
  const sameTrack = useMemo(() => (current && sessions ? sessions.filter((s) => s.id !== current.session.id && s.trackId && s.trackId === current.session.trackId) : []), [current, sessions]);
  const nameOf = (c: Chosen) => {
    const s = sessions?.find((x) => x.id === c.session);
    if (c.lap === 0) return 'Whole session';
    return c.session === selected ? `Lap ${c.lap}` : `${s?.driver ?? s?.unitName ?? '?'} L${c.lap}`;
  };
  const charted: ChosenTrace[] = useMemo(
    () =>
      chosen.flatMap((c, i) => {
        const trace = traces[traceKey(c, chosen)];
        return trace ? [{ key: keyOf(c), label: nameOf(c), colour: LAP_COLOURS[i % LAP_COLOURS.length]!, trace }] : [];
      }),
    [chosen, traces, sessions, selected],
  );
  // Two laps of one track (any sessions): compared by distance along the track, with sectors and corners.
  const trackOf = (c: Chosen) => sessions?.find((x) => x.id === c.session)?.trackId ?? null;
  const pair = chosen.length === 2 && chosen.every((c) => c.lap !== 0) && trackOf(chosen[0]!) !== null && trackOf(chosen[0]!) === trackOf(chosen[1]!) ? chosen : null;
  const pickOther = (value: string) => {
    const [sid, lap] = value.split(':').map(Number);
    if (sid) void addOther(sid, lap ?? 0);
  };

  return (
    <div className="sessions-screen" data-testid="sessions-screen">
      <div className="sessions-toolbar">
        <h2>Sessions</h2>
        <SyncBar />
      </div>
      {error && <p className="error-line">{error.message}</p>}
      {sessions && sessions.length === 0 && <p className="hint">No sessions yet. Sync to pull the day's sessions from the paired units.</p>}
      {sessions && sessions.length > 0 && (
        <div className="sessions-split">
          <SessionList sessions={sessions} selected={selected} onSelect={(id) => void select(id)} />
          {current && (
            <section className="session-detail" data-testid="session-detail">
              <header className="session-head">
                <div>
                  <TrackControl session={current.session} />
                  <p className="dim">
                    {fmtDate(current.session.startedAt)} {fmtTime(current.session.startedAt)} · {current.session.driver ?? 'No driver'} · {current.session.unitName}
                  </p>
                </div>
                <dl className="stats">
                  <div>
                    <dt>Best lap</dt>
                    <dd data-testid="best-lap">{fmtLap(current.laps[current.bestIndex]?.timeMs)}</dd>
                  </div>
                  <div>
                    <dt>Theoretical best</dt>
                    <dd data-testid="theoretical-best">{fmtLap(current.theoreticalBestMs)}</dd>
                  </div>
                  <div>
                    <dt>Consistency</dt>
                    <dd data-testid="consistency">{current.consistencyMs === null ? '–' : `±${(current.consistencyMs / 1000).toFixed(3)} s`}</dd>
                  </div>
                </dl>
              </header>
              <div className="detail-grid">
                <div className="lap-col">
                  <LapTable data={current} chosen={chosen} toggle={toggle} showWhole={() => showWhole(current.session.id)} />
                  {sameTrack.length > 0 && (
                    <label className="compare">
                      Compare with
                      <select value="" onChange={(e) => pickOther(e.target.value)} data-testid="compare-select">
                        <option value="">another driver's best lap…</option>
                        {sameTrack.map((s) => (
                          <option key={s.id} value={`${s.id}:0`}>
                            {s.driver ?? 'No driver'} · {s.unitName} · {fmtLap(s.bestLapMs)}
                          </option>
                        ))}
                      </select>
                    </label>
                  )}
                </div>
                <div className="chart-col">
                  <SpeedByDistance laps={charted} />
                  <DeltaByDistance laps={charted} />
                </div>
                <div className="map-col">
                  {charted.length > 0 && <TrackMap lap={charted.at(-1)!} reference={charted[0] ?? null} mode={mapMode} />}
                  <div className="seg" role="group" aria-label="Colour the map by">
                    <button type="button" aria-pressed={mapMode === 'speed'} onClick={() => setMapMode('speed')} data-testid="map-speed">
                      Speed
                    </button>
                    <button type="button" aria-pressed={mapMode === 'delta'} onClick={() => setMapMode('delta')} data-testid="map-delta">
                      Delta
                    </button>
                  </div>
                  <ul className="legend">
                    {charted.map((c) => (
                      <li key={c.key}>
                        <span className="swatch" style={{ background: c.colour }} />
                        {c.label}
                      </li>
                    ))}
                  </ul>
                </div>
              </div>
              {pair && <LapComparison a={pair[0]!} b={pair[1]!} laps={laps} onPick={replaceChosen} />}
            </section>
          )}
        </div>
      )}
      <OwnTracksPanel refreshKey={sessions} />
    </div>
  );
}
