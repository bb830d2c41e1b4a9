import { useEffect, useMemo, useState } from 'react';
import type uPlot from 'uplot';
import { formatLapTime, type CallError, type ComparedLap, type LapComparisonResult, type SessionLaps } from '@pitwall/protocol';
import { call } from '../api.js';
import { Plot, ZOOM_CURSOR, type PlotOptions } from '../charts/plot.js';
import { axis } from '../charts/theme.js';
import type { Chosen } from '../store/sessions-store.js';
import { LAP_COLOURS } from './session-charts.js';

const HEIGHT = 180;
/** Seconds to the millisecond with a sign; ± when it rounds to zero. */
const signed = (ms: number | null) => (ms === null ? '–' : `${Math.abs(ms) < 0.5 ? '±' : ms > 0 ? '+' : '−'}${(Math.abs(ms) / 1000).toFixed(3)}`);
const kmhDelta = (d: number) => `${Math.abs(d) < 0.05 ? '±' : d > 0 ? '+' : '−'}${Math.abs(d).toFixed(1)} km/h`;
/** Red where B lost (a positive time, a lower speed), green where it gained; nothing within the rounding. */
const lossClass = (ms: number | null) => (ms === null || Math.abs(ms) < 0.5 ? '' : ms > 0 ? 'loss' : 'gain');
const speedClass = (d: number) => (Math.abs(d) < 0.05 ? '' : d < 0 ? 'loss' : 'gain');

function options(series: { label: string; colour: string }[], unit: string, fmt: (v: number) => string): PlotOptions {
  return {
    scales: { x: { time: false } },
    axes: [axis('distance along the track (m)'), axis(unit, { size: 52, values: (_u, splits) => splits.map(fmt) })],
    series: [{ label: 'm', value: (_u, v) => (v == null ? '–' : `${Math.round(v)} m`) }, ...series.map((s) => ({ label: s.label, stroke: s.colour, width: 1.5, value: (_u: uPlot, v: number | null) => (v == null ? '–' : fmt(v)) }))],
    cursor: { ...ZOOM_CURSOR, sync: { key: 'lap-compare', scales: ['x', null] } },
  };
}

function LapPicker({ lap, laps, onPick, testId }: { lap: ComparedLap; laps: SessionLaps | undefined; onPick: (lap: number) => void; testId: string }) {
  if (!laps) return <span className="mono">L{lap.lap}</span>;
  return (
    <select value={lap.lap} onChange={(e) => onPick(Number(e.target.value))} data-testid={testId} aria-label="Lap">
      {laps.laps.map((l) => (
        <option key={l.lap} value={l.lap}>
          L{l.lap} · {formatLapTime(l.timeMs)}
        </option>
      ))}
    </select>
  );
}

/**
 * Two laps of one track, from any sessions, units and GNSS rates, compared by distance along
 * the track (sessions:compare): the delta and both speed traces on one axis, sectors, corners.
 */
export function LapComparison({ a, b, laps, onPick }: { a: Chosen; b: Chosen; laps: Record<number, SessionLaps>; onPick: (which: 0 | 1, c: Chosen) => void }) {
  const [result, setResult] = useState<LapComparisonResult | null>(null);
  const [error, setError] = useState<CallError | null>(null);
  useEffect(() => {
    let live = true;
    setError(null);
    void call('sessions:compare', { a, b }).then((res) => {
      if (!live) return;
      if (res.ok) setResult(res.value);
      else {
        setResult(null);
        setError(res.error);
      }
    });
    return () => void (live = false);
  }, [a.session, a.lap, b.session, b.lap]);
  const who = (l: ComparedLap) => `${l.driver ?? 'No driver'} · ${l.unitName}`;
  const speedData = useMemo(() => (result ? ([result.stationsM, result.a.speedKmh, result.b.speedKmh] as uPlot.AlignedData) : null), [result]);
  const deltaData = useMemo(() => (result ? ([result.stationsM, result.deltaMs.map((d) => d / 1000)] as uPlot.AlignedData) : null), [result]);
  const labels = result ? [`A ${who(result.a)} L${result.a.lap}`, `B ${who(result.b)} L${result.b.lap}`] : ['A', 'B'];
  const speedOptions = useMemo(() => options([{ label: labels[0]!, colour: LAP_COLOURS[0]! }, { label: labels[1]!, colour: LAP_COLOURS[1]! }], 'km/h', (v) => v.toFixed(0)), [labels.join()]);
  const deltaOptions = useMemo(() => options([{ label: 'B − A', colour: LAP_COLOURS[1]! }], 's', (v) => `${v > 0 ? '+' : ''}${v.toFixed(2)}`), []);
  if (error) return <p className="error-line" data-testid="compare-error">{error.message}</p>;
  if (!result) return <p className="hint">Comparing by distance along the track…</p>;
  return (
    <section className="lap-compare" data-testid="lap-compare" aria-label="Lap comparison">
      <header className="compare-head">
        <h3>
          {result.track.name} · {(result.track.lengthM / 1000).toFixed(2)} km along the track
        </h3>
        {([result.a, result.b] as const).map((l, i) => (
          <div key={i} className="compare-lap" data-testid={`compare-lap-${i ? 'b' : 'a'}`}>
            <span className="swatch" style={{ background: LAP_COLOURS[i] }} />
            <strong>{i ? 'B' : 'A'}</strong> {who(l)} · {new Date(l.startedAt).toLocaleDateString()} · {l.rateHz.toFixed(0)} Hz ·{' '}
            <LapPicker lap={l} laps={laps[l.session]} onPick={(lap) => onPick(i ? 1 : 0, { session: l.session, lap })} testId={`compare-pick-${i ? 'b' : 'a'}`} />{' '}
            <span className="mono">{formatLapTime(l.timeMs)}</span>
          </div>
        ))}
        <p className="compare-total" data-testid="compare-total">
          B {signed(result.b.timeMs - result.a.timeMs)} s
        </p>
      </header>
      <div className="compare-charts">
        <figure className="chart session-chart" data-testid="compare-delta">
          <figcaption>
            <span>Delta B − A by distance</span>
            <span className="chart-scale">s · above zero: B behind</span>
          </figcaption>
          <Plot options={deltaOptions} data={deltaData!} height={HEIGHT} testId="compare-delta-plot" />
        </figure>
        <figure className="chart session-chart" data-testid="compare-speed">
          <figcaption>
            <span>Speed by distance</span>
            <span className="chart-scale">km/h</span>
          </figcaption>
          <Plot options={speedOptions} data={speedData!} height={HEIGHT} testId="compare-speed-plot" />
        </figure>
      </div>
      <div className="compare-tables">
        <table className="lap-table" data-testid="compare-sectors">
          <thead>
            <tr>
              <th>Sector</th>
              <th>A</th>
              <th>B</th>
              <th>B − A</th>
            </tr>
          </thead>
          <tbody>
            {result.sectors.map((s) => (
              <tr key={s.sector}>
                <td>S{s.sector}</td>
                <td className="mono">{formatLapTime(s.aMs)}</td>
                <td className="mono">{formatLapTime(s.bMs)}</td>
                <td className={`mono ${lossClass(s.deltaMs)}`}>{signed(s.deltaMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table className="lap-table" data-testid="compare-corners">
          <thead>
            <tr>
              <th>Corner</th>
              <th>At</th>
              <th>A entry / min / exit</th>
              <th>B entry / min / exit</th>
              <th>Min B − A</th>
              <th>Time B − A</th>
            </tr>
          </thead>
          <tbody>
            {result.corners.map((k) => (
              <tr key={k.number}>
                <td>
                  T{k.number} {k.direction === 'left' ? '↰' : '↱'}
                </td>
                <td className="mono">
                  {Math.round(k.entryM)}–{Math.round(k.exitM)} m
                </td>
                <td className="mono">
                  {k.a.entryKmh.toFixed(0)} / <strong>{k.a.minKmh.toFixed(0)}</strong> / {k.a.exitKmh.toFixed(0)}
                </td>
                <td className="mono">
                  {k.b.entryKmh.toFixed(0)} / <strong>{k.b.minKmh.toFixed(0)}</strong> / {k.b.exitKmh.toFixed(0)}
                </td>
                <td className={`mono ${speedClass(k.b.minKmh - k.a.minKmh)}`}>{kmhDelta(k.b.minKmh - k.a.minKmh)}</td>
                <td className={`mono ${lossClass(k.deltaMs)}`}>{signed(k.deltaMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
