import { useEffect } from 'react';
import type { StoredCrash } from '@pitwall/protocol';
import { ExportButton } from '../components/diagnostics/export-button.js';
import { SyncButton } from '../components/diagnostics/sync-button.js';
import { describeError } from '../error-messages.js';
import { ago } from '../format.js';
import { useCrashes } from '../store/crashes-store.js';
import { useNow } from '../use-now.js';

const KIND_TEXT: Record<StoredCrash['kind'], string> = {
  'uncaught-exception': 'Uncaught exception',
  'unhandled-rejection': 'Unhandled rejection',
  'fatal-error': 'Fatal error',
  signal: 'Signal',
  hang: 'Hang',
  'out-of-memory': 'Out of memory',
};

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function FieldList({ entries }: { entries: [string, unknown][] }) {
  return (
    <dl className="field-list compact">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd className="mono">{show(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The crashes screen's part of the top bar. */
export function CrashesActions() {
  const crashes = useCrashes((s) => s.crashes);
  return (
    <>
      <div className="topbar-summary">
        {crashes && crashes.length > 0 && (
          <>
            <strong>{crashes.length}</strong> crash dumps
          </>
        )}
      </div>
      <SyncButton />
    </>
  );
}

export function CrashesScreen() {
  const now = useNow(30_000);
  const { crashes, selected, detail, error, load, select } = useCrashes();
  useEffect(() => void load(), [load]);

  return (
    <>
      {error && <p className="inline-error pad">{describeError(error).detail ?? describeError(error).sentence}</p>}
      {crashes && crashes.length === 0 && (
        <div className="state-view">
          <h2>No crash dumps</h2>
          <p className="muted">When a unit crashes, hangs or runs out of memory it keeps a dump; pull diagnostics to bring it here.</p>
        </div>
      )}
      {crashes && crashes.length > 0 && (
        <div className="crash-layout">
          <section className="crash-list" aria-label="Crash dumps" data-testid="crash-list">
            {crashes.map((c) => (
              <div
                key={`${c.unitId}/${c.crashId}`}
                role="button"
                tabIndex={0}
                className={`crash-row ${selected?.crashId === c.crashId && selected.unitId === c.unitId ? 'is-selected' : ''}`}
                onClick={() => void select(c)}
                onKeyDown={(e) => e.key === 'Enter' && void select(c)}
                data-testid="crash-row"
              >
                <div className="crash-row-head">
                  <span className={`kind-chip kind-${c.kind}`}>{KIND_TEXT[c.kind]}</span>
                  <span className="muted small">{ago(Date.parse(c.time), now)}</span>
                </div>
                <div className="crash-msg">{c.message}</div>
                <div className="muted small">
                  {c.unitName} · firmware {c.fw}
                </div>
              </div>
            ))}
          </section>
          <section className="crash-detail" data-testid="crash-detail">
            {selected && (
              <div className="detail-title">
                <div>
                  <h2>
                    {KIND_TEXT[selected.kind]} on {selected.unitName}
                  </h2>
                  <p className="muted small mono">
                    {new Date(selected.time).toLocaleString()} · {selected.crashId} · firmware {selected.fw}
                  </p>
                </div>
                <ExportButton unitId={selected.unitId} />
              </div>
            )}
            {detail && (
              <>
                <div className="crash-error">
                  <strong>{detail.errorName}</strong>: {detail.crash.message}
                </div>
                <h3 className="section-title">Stack</h3>
                <pre className="stack" data-testid="crash-stack">{detail.stack ?? 'No stack was recorded (the process was stopped from outside).'}</pre>
                <div className="crash-columns">
                  <div>
                    <h3 className="section-title">Last known state</h3>
                    <FieldList entries={Object.entries(detail.state)} />
                  </div>
                  {detail.report && (
                    <div>
                      <h3 className="section-title">Diagnostic report</h3>
                      <FieldList
                        entries={Object.entries(detail.report)
                          .filter(([, v]) => typeof v !== 'object')
                          .slice(0, 12)}
                      />
                    </div>
                  )}
                </div>
                <h3 className="section-title">Log before the crash ({detail.lastLogs.length} records)</h3>
                <div className="crash-logs" data-testid="crash-logs">
                  {detail.lastLogs.slice(-200).map((r) => (
                    <div key={`${r.boot}-${r.seq}`} className={`log-row static lvl-${r.level}`}>
                      <span className="log-time mono">{r.time.slice(11, 23)}</span>
                      <span className={`level-chip lvl-${r.level}`}>{r.level}</span>
                      <span className="log-sub">{r.subsystem}</span>
                      <span className="log-msg">{r.msg}</span>
                    </div>
                  ))}
                </div>
              </>
            )}
          </section>
        </div>
      )}
    </>
  );
}
