import { useEffect } from 'react';
import type { TroubleFlag } from '@pitwall/protocol';
import { ExportButton } from '../components/diagnostics/export-button.js';
import { SyncButton } from '../components/diagnostics/sync-button.js';
import { TimeChart } from '../components/diagnostics/time-chart.js';
import { describeError } from '../error-messages.js';
import { ago, seconds } from '../format.js';
import { RANGES, useHealth } from '../store/health-store.js';
import { useNow } from '../use-now.js';

const FLAG_TEXT: Record<TroubleFlag, string> = { hot: 'Hot', 'disk-full': 'Disk full', 'no-fix': 'No GNSS fix', crashed: 'Crashed', stale: 'No recent health' };

const num = (v: number | null, unit: string, digits = 0) => (v === null ? '—' : `${v.toFixed(digits)}${unit}`);

/** The health screen's part of the top bar. */
export function HealthActions() {
  const fleet = useHealth((s) => s.fleet);
  const trouble = fleet?.filter((f) => f.flags.length > 0).length ?? 0;
  return (
    <>
      <div className="topbar-summary" data-testid="health-summary">
        {fleet && fleet.length > 0 && (
          <>
            <strong>{fleet.length}</strong> units · <strong className={trouble ? 'bad' : 'ok'}>{trouble}</strong> need attention
          </>
        )}
      </div>
      <SyncButton />
    </>
  );
}

export function HealthScreen() {
  const now = useNow(30_000);
  const { fleet, error, selected, range, series, load, select, setRange } = useHealth();
  useEffect(() => void load(), [load]);

  const sel = fleet?.find((f) => f.unitId === selected);
  const times = series?.points.map((p) => Date.parse(p.time)) ?? [];
  return (
    <>
      {error && <p className="inline-error pad">{describeError(error).sentence}</p>}
      {fleet && fleet.length === 0 && (
        <div className="state-view">
          <h2>No health data yet</h2>
          <p className="muted">Pull diagnostics from your paired units to see their temperature, disk, CPU and GNSS over time.</p>
        </div>
      )}
      {fleet && fleet.length > 0 && (
        <div className="health-layout">
          <section className="fleet-list" aria-label="Fleet overview" data-testid="fleet-overview">
            <h3 className="section-title">Fleet</h3>
            {fleet.map((f) => (
              <div
                key={f.unitId}
                role="button"
                tabIndex={0}
                className={`fleet-row ${f.unitId === selected ? 'is-selected' : ''} ${f.flags.length ? 'is-trouble' : ''}`}
                onClick={() => void select(f.unitId)}
                onKeyDown={(e) => e.key === 'Enter' && void select(f.unitId)}
                data-testid="fleet-row"
              >
                <div className="fleet-head">
                  <span className="unit-name">{f.unitName}</span>
                  <span className={`online-state ${f.online ? 'is-online' : ''}`}>
                    <span className="status-dot" />
                    {f.online ? 'Online' : 'Offline'}
                  </span>
                </div>
                <div className="fleet-metrics">
                  <span className={(f.socTempC ?? 0) >= 80 ? 'bad' : ''}>{num(f.socTempC, ' °C')}</span>
                  <span className={(f.diskUsedPct ?? 0) >= 90 ? 'bad' : ''}>disk {num(f.diskUsedPct, '%')}</span>
                  <span>cpu {num(f.cpuPct, '%')}</span>
                  <span>{f.satellites === null ? '—' : `${f.satellites} sats`}</span>
                </div>
                <div className="fleet-foot">
                  <span className="flags">
                    {f.flags.length === 0 ? <span className="flag flag-ok">OK</span> : f.flags.map((fl) => <span key={fl} className={`flag flag-${fl}`} data-testid="trouble-flag">{FLAG_TEXT[fl]}</span>)}
                  </span>
                  <span className="muted small">{f.lastHealth ? `health ${ago(Date.parse(f.lastHealth), now)}` : 'no health yet'}</span>
                </div>
              </div>
            ))}
          </section>
          <section className="health-detail" aria-label="Unit health" data-testid="health-detail">
            {sel && (
              <>
                <div className="detail-title">
                  <div>
                    <h2>{sel.unitName}</h2>
                    <p className="muted small">
                      {sel.crashes24h > 0 ? `${sel.crashes24h} crash${sel.crashes24h > 1 ? 'es' : ''} in 24 h · ` : ''}
                      GNSS time to first fix {seconds(sel.timeToFirstFixS)} · last pull {sel.lastPull ? ago(Date.parse(sel.lastPull), now) : 'never'}
                    </p>
                  </div>
                  <div className="detail-actions">
                    <div className="seg" role="group" aria-label="Time range">
                      {RANGES.map((r) => (
                        <button key={r.label} type="button" className={`seg-btn ${range === r.ms ? 'is-active' : ''}`} onClick={() => void setRange(r.ms)}>
                          {r.label}
                        </button>
                      ))}
                    </div>
                    <ExportButton unitId={sel.unitId} />
                  </div>
                </div>
                {series && series.points.length === 0 ? (
                  <div className="chart-empty">No snapshots in this range.</div>
                ) : (
                  <div className="chart-grid">
                    <TimeChart title="SoC temperature" unit="°C" times={times} values={series?.points.map((p) => p.socTempC) ?? []} warnAt={80} testId="chart-temp" />
                    <TimeChart title="CPU" unit="%" times={times} values={series?.points.map((p) => p.cpuPct) ?? []} yMax={100} testId="chart-cpu" />
                    <TimeChart title="Data partition used" unit="%" times={times} values={series?.points.map((p) => p.diskUsedPct) ?? []} yMax={100} warnAt={90} testId="chart-disk" />
                    <TimeChart title="Satellites" unit="" times={times} values={series?.points.map((p) => p.satellites) ?? []} step testId="chart-sats" />
                    <TimeChart title="GNSS time to first fix" unit="s" times={times} values={series?.points.map((p) => p.timeToFirstFixS) ?? []} step testId="chart-ttff" />
                    <TimeChart title="Memory used" unit="%" times={times} values={series?.points.map((p) => p.memoryUsedPct) ?? []} yMax={100} testId="chart-mem" />
                  </div>
                )}
              </>
            )}
          </section>
        </div>
      )}
    </>
  );
}
