import { deltaText, lapTime } from '../format.js';
import { currentSplits, useTiming } from '../store/timing-store.js';
import './live-timing.css';
import { featureGate } from '../license/license-gates.js';
import { useLicenses } from '../store/license-store.js';

const STALE_MS = 3000;

const deltaClass = (ms: number | null | undefined) => (ms === null || ms === undefined ? '' : ms < 0 ? 'is-faster' : ms > 0 ? 'is-slower' : '');

/**
 * The unit's lap timing as a pit wall shows it: the lap running, the delta to the best lap
 * at the same distance, last and best laps, and the sectors of this lap against the last
 * lap and the best of each sector. Everything comes from the unit's own timer (/v1/live).
 */
export function LiveTiming({ unitId, now }: { unitId: string; now: number }) {
  const unit = useTiming((s) => s.units[unitId]);
  // Without 'sectors' the unit leaves sector times out of its stream: say so instead of an empty table.
  const sectors = featureGate(useLicenses((s) => s.views[unitId]?.status), 'sectors');
  const t = unit?.timing ?? null;
  if (!unit || !t) {
    return (
      <section className="live-timing is-waiting" data-testid="live-timing" aria-label="Live timing">
        <h3>Live timing</h3>
        <p className="muted" data-testid="timing-note">
          No lap timing yet: the unit times laps once it knows the track it is on.
        </p>
      </section>
    );
  }
  const stale = unit.timingAt !== null && now - unit.timingAt > STALE_MS;
  const laps = unit.laps.filter((l) => l.sessionId === t.sessionId || t.sessionId === null);
  const last = laps.at(-1) ?? null;
  const sectorCount = Math.max(t.sector + 1, ...laps.map((l) => l.sectorsMs.length));
  const splits = t.lap > 0 ? currentSplits(unit.sectorStarts) : [];
  const bestSectors = Array.from({ length: sectorCount }, (_, k) => {
    const all = [...laps.map((l) => l.sectorsMs[k]), splits[k]].filter((v): v is number => v !== null && v !== undefined);
    return all.length ? Math.min(...all) : null;
  });
  const onLap = t.lap > 0 && t.elapsedMs !== null;

  return (
    <section className={`live-timing ${stale ? 'is-stale' : ''}`} data-testid="live-timing" aria-label="Live timing">
      <div className="timing-head">
        <h3>Live timing</h3>
        <span className="muted" data-testid="timing-note">
          {stale ? `No timing for ${Math.round((now - unit.timingAt!) / 1000)} s` : onLap ? `Lap ${t.lap}` : 'Out lap: timing starts at the line'}
        </span>
      </div>
      <div className="timing-main">
        <div className="timing-figure">
          <span className="timing-label">Current lap</span>
          <span className="timing-clock" data-testid="timing-current">
            {onLap ? lapTime(t.elapsedMs, 1) : '—'}
          </span>
        </div>
        <div className="timing-figure">
          <span className="timing-label">Delta to best</span>
          <span className={`timing-delta ${deltaClass(t.deltaMs)}`} data-testid="timing-delta">
            {deltaText(t.deltaMs)}
          </span>
        </div>
        <dl className="timing-laps">
          <div>
            <dt>Last lap</dt>
            <dd data-testid="timing-last">{lapTime(t.lastLapMs)}</dd>
          </div>
          <div>
            <dt>Best lap</dt>
            <dd className="is-best" data-testid="timing-best">
              {lapTime(t.bestLapMs)}
            </dd>
          </div>
          <div>
            <dt>Predicted</dt>
            <dd data-testid="timing-predicted">{lapTime(t.predictedLapMs)}</dd>
          </div>
        </dl>
      </div>
      {!sectors.allowed && (
        <p className="feature-gated-why" data-testid="sectors-gated">
          Sector times unavailable: {sectors.why}
        </p>
      )}
      {sectors.allowed && sectorCount > 1 && (
        <table className="timing-sectors" data-testid="timing-sectors">
          <thead>
            <tr>
              <th />
              {bestSectors.map((_, k) => (
                <th key={k}>S{k + 1}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr data-testid="sectors-current">
              <th>This lap</th>
              {bestSectors.map((best, k) => {
                const done = splits[k];
                if (done !== null && done !== undefined) {
                  return (
                    <td key={k} className={done === best ? 'is-best' : ''}>
                      {lapTime(done)}
                    </td>
                  );
                }
                const running = onLap && k === t.sector && t.sectorElapsedMs !== null;
                return (
                  <td key={k} className={running ? 'is-running' : 'muted'}>
                    {running ? lapTime(t.sectorElapsedMs, 1) : '—'}
                  </td>
                );
              })}
            </tr>
            <tr data-testid="sectors-last">
              <th>Last lap{last ? ` (${last.lap})` : ''}</th>
              {bestSectors.map((best, k) => (
                <td key={k} className={last?.sectorsMs[k] !== undefined && last.sectorsMs[k] === best ? 'is-best' : ''}>
                  {lapTime(last?.sectorsMs[k])}
                </td>
              ))}
            </tr>
            <tr data-testid="sectors-best">
              <th>Best</th>
              {bestSectors.map((best, k) => (
                <td key={k} className="is-best">
                  {lapTime(best)}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      )}
    </section>
  );
}
