import { useEffect } from 'react';
import { formatLapTime, type FleetDistributionResult } from '@pitwall/protocol';
import { BoxRows, HistogramChart, ProgressChart } from '../charts/distribution-charts.js';
import { useFleet } from '../store/fleet-store.js';

const lapTime = (ms: number) => formatLapTime(ms);
const kmh = (v: number) => `${v.toFixed(0)} km/h`;

function Summary({ r }: { r: FleetDistributionResult }) {
  const mine = r.members.find((m) => m.name === r.mark);
  return (
    <dl className="stats" data-testid="fleet-summary">
      <div>
        <dt>Laps</dt>
        <dd data-testid="fleet-laps">{r.laps.toLocaleString()}</dd>
      </div>
      <div>
        <dt>Group's theoretical best</dt>
        <dd data-testid="fleet-theoretical-best">{formatLapTime(r.theoreticalBest.ms)}</dd>
      </div>
      <div>
        <dt>Median lap</dt>
        <dd>{r.lapTimes.box ? lapTime(r.lapTimes.box.median) : '–'}</dd>
      </div>
      {mine && (
        <div className="marked-stat">
          <dt>{mine.name}: best · theoretical</dt>
          <dd data-testid="fleet-marked-best">
            {lapTime(mine.bestMs)} · {formatLapTime(mine.theoreticalBestMs)}
          </dd>
        </div>
      )}
      <div>
        <dt>Computed in</dt>
        <dd>{r.computeMs.toFixed(0)} ms</dd>
      </div>
    </dl>
  );
}

/**
 * Fleet distributions of one track, from the laps synced to this companion: lap times, sector
 * times and corner minimum speeds of a group of drivers or units, one member's laps marked; the
 * group's theoretical best and each member's progress over the season.
 */
export function FleetScreen() {
  const { tracks, trackId, groupBy, members, mark, result: r, error, busy, load, set } = useFleet();
  useEffect(() => void load(), [load]);
  const track = tracks?.find((t) => t.trackId === trackId);
  const names = (groupBy === 'driver' ? track?.drivers : track?.units) ?? [];
  const inGroup = (n: string) => members === null || members.includes(n);
  const toggle = (n: string) => void set({ members: inGroup(n) ? names.filter((x) => x !== n && inGroup(x)) : [...(members ?? []), n] });
  return (
    <div className="fleet-screen" data-testid="fleet-screen">
      <div className="sessions-toolbar">
        <h2>Fleet</h2>
        {busy && <span className="dim">computing…</span>}
      </div>
      {error && <p className="error-line">{error.message}</p>}
      {tracks && tracks.length === 0 && <p className="hint">No laps yet. Sync sessions to see the distributions of a track.</p>}
      {tracks && tracks.length > 0 && (
        <div className="fleet-controls">
          <label>
            Track
            <select value={trackId ?? ''} onChange={(e) => void set({ trackId: e.target.value })} data-testid="fleet-track">
              {tracks.map((t) => (
                <option key={t.trackId} value={t.trackId}>
                  {t.name} · {t.laps} laps
                </option>
              ))}
            </select>
          </label>
          <div className="seg" role="group" aria-label="Group by">
            {(['driver', 'unit'] as const).map((g) => (
              <button key={g} type="button" aria-pressed={groupBy === g} onClick={() => void set({ groupBy: g })} data-testid={`fleet-by-${g}`}>
                By {g}
              </button>
            ))}
          </div>
          <label>
            Mark
            <select value={mark ?? ''} onChange={(e) => void set({ mark: e.target.value || null })} data-testid="fleet-mark">
              <option value="">nobody</option>
              {names.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </label>
          <fieldset className="fleet-members" data-testid="fleet-members">
            <legend>Group</legend>
            {names.map((n) => (
              <label key={n}>
                <input type="checkbox" checked={inGroup(n)} onChange={() => toggle(n)} /> {n}
              </label>
            ))}
          </fieldset>
        </div>
      )}
      {r && (
        <>
          <Summary r={r} />
          <div className="fleet-grid">
            <section>
              <h3>Lap times{r.mark ? ` · ${r.mark}'s laps marked` : ''}</h3>
              {r.lapTimes.histogram && <HistogramChart hist={r.lapTimes.histogram} marks={r.markedLapsMs} markedMedian={r.lapTimes.marked?.median ?? null} format={lapTime} testId="fleet-lap-histogram" />}
              <BoxRows rows={r.members.map((m) => ({ label: `${m.name} (${m.laps})`, box: m.lapTimes, marked: m.name === r.mark }))} format={lapTime} testId="fleet-member-boxes" />
            </section>
            <section>
              <h3>Sectors (each on its own scale) · the group's best</h3>
              <div data-testid="fleet-sector-boxes">
                {r.sectors.map((sector, i) => {
                  const best = r.theoreticalBest.sectors[i];
                  return (
                    <div key={i} className="sector-row">
                      <BoxRows rows={[{ label: `S${i + 1}`, box: sector.box, extra: sector.box ? lapTime(sector.box.median) : undefined }]} format={lapTime} testId={`fleet-sector-${i + 1}`} />
                      <p className="dim">best {best ? `${lapTime(best.ms)} · ${best.by}` : '–'}</p>
                    </div>
                  );
                })}
              </div>
              <h3>Progress over the season (best lap a day)</h3>
              <ProgressChart series={r.progress.map((p) => ({ ...p, marked: p.name === r.mark }))} format={lapTime} testId="fleet-progress" />
            </section>
            <section className="fleet-corners">
              <h3>Corner minimum speeds{r.mark ? ` · ${r.mark}'s median after the slash` : ''}</h3>
              <BoxRows
                rows={r.corners.map((c) => ({ label: `T${c.number} ${c.direction === 'left' ? '↰' : '↱'} ${Math.round(c.apexM)} m`, box: c.minKmh.box, extra: c.minKmh.box ? `${c.minKmh.box.median.toFixed(0)}${c.minKmh.marked ? ` / ${c.minKmh.marked.median.toFixed(0)}` : ''}` : undefined }))}
                format={kmh}
                testId="fleet-corner-boxes"
              />
            </section>
          </div>
        </>
      )}
    </div>
  );
}
