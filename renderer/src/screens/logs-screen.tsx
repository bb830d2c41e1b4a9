import { useEffect, useState } from 'react';
import { LOG_LEVELS } from '@pitwall/protocol';
import { LogDetailPanel } from '../components/diagnostics/log-detail.js';
import { LogList } from '../components/diagnostics/log-list.js';
import { describeError } from '../error-messages.js';
import { useDevices } from '../store/devices-store.js';
import { useDiagnostics } from '../store/diagnostics-store.js';
import { useLogs, type LogFilters } from '../store/logs-store.js';

const SUBSYSTEMS = ['boot', 'gnss', 'imu', 'led', 'net', 'api', 'update', 'support', 'licence', 'identity', 'serial', 'mdns', 'health', 'crash', 'pipeline'];

export function LogsScreen() {
  const devices = useDevices((s) => s.devices);
  const tail = useDiagnostics((s) => s.tail);
  const { filters, rows, total, error, tailError, selected, setFilter, query, more, select, toggleTail } = useLogs();
  // What is typed in the search box: applied after a pause in the typing.
  const [text, setText] = useState(filters.text);
  useEffect(() => {
    const t = setTimeout(() => setFilter('text', text), 250);
    return () => clearTimeout(t);
  }, [text]);
  useEffect(() => void query(), [query]);
  useEffect(() => () => void useDiagnostics.getState().stopTail(), []);

  const tailing = tail !== null;
  const tailUnit = filters.unitId || null;
  const set = (k: keyof LogFilters) => (e: { target: { value: string } }) => setFilter(k, e.target.value);
  const shown = tailing && tail ? tail.rows : rows;
  const units = [...devices].sort((a, b) => a.name.localeCompare(b.name));

  return (
    <>
      <div className="diag-screen">
        <div className="filter-bar" role="search">
          <input
            className="text-input search-input"
            type="search"
            placeholder="Search messages and fields…"
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={500}
            aria-label="Search"
            data-testid="log-search"
          />
          <select className="select" value={filters.unitId} onChange={set('unitId')} aria-label="Unit" data-testid="filter-unit">
            <option value="">All units</option>
            {units.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
          <select className="select" value={filters.subsystem} onChange={set('subsystem')} aria-label="Subsystem" data-testid="filter-subsystem">
            <option value="">All subsystems</option>
            {SUBSYSTEMS.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
          <select className="select" value={filters.level} onChange={set('level')} aria-label="Level" data-testid="filter-level">
            <option value="">Any level</option>
            {LOG_LEVELS.map((l) => (
              <option key={l} value={l}>
                {l} and above
              </option>
            ))}
          </select>
          <label className="time-field">
            <span>From</span>
            <input className="text-input" type="datetime-local" step="1" value={filters.from} onChange={set('from')} data-testid="filter-from" />
          </label>
          <label className="time-field">
            <span>To</span>
            <input className="text-input" type="datetime-local" step="1" value={filters.to} onChange={set('to')} data-testid="filter-to" />
          </label>
          <button
            type="button"
            className={`btn ${tailing ? 'btn-live' : 'btn-ghost'}`}
            disabled={!tailing && !tailUnit}
            title={tailUnit ? 'Follow this unit’s log as it is written' : 'Choose one unit to follow its log live'}
            onClick={() => void toggleTail()}
            data-testid="tail-button"
          >
            {tailing ? '● Live — stop' : 'Live tail'}
          </button>
        </div>
        <div className="result-line">
          {tailing ? (
            <span data-testid="tail-status">
              Following <strong>{devices.find((d) => d.id === tail?.unitId)?.name}</strong> live · {tail?.rows.length ?? 0} new records
            </span>
          ) : total ? (
            <span data-testid="log-count">
              {total.capped ? 'More than ' : ''}
              <strong>{total.n.toLocaleString()}</strong> records
              {filters.text.trim() ? <> matching “{filters.text.trim()}”</> : ''}
            </span>
          ) : (
            <span />
          )}
          {error && <span className="inline-error">{describeError(error).detail ?? describeError(error).sentence}</span>}
          {tailError && <span className="inline-error">{describeError(tailError).sentence}</span>}
        </div>
        <div className={`log-split ${selected ? 'has-detail' : ''}`}>
          {shown.length === 0 && !error ? (
            <div className="state-view" data-testid="logs-empty">
              <h2>{tailing ? 'Waiting for new records…' : total?.n === 0 && (filters.text || filters.unitId || filters.level || filters.subsystem) ? 'No records match' : 'No logs pulled yet'}</h2>
              <p className="muted">{tailing ? 'New records appear here as the unit writes them.' : 'Pull diagnostics to copy logs, health and crash dumps from your paired units. Units keep their data until this companion has stored it.'}</p>
            </div>
          ) : (
            <LogList rows={shown} selectedId={selected} onSelect={(id) => void select(id)} onNearEnd={() => void more()} showUnit={!filters.unitId} />
          )}
          {selected !== null && <LogDetailPanel onClose={() => void select(null)} />}
        </div>
      </div>
    </>
  );
}
