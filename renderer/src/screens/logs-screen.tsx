import { useCallback, useEffect, useRef, useState } from 'react';
import { LOG_LEVELS, type CallError, type LogLevel, type LogRow, type LogsQueryParams } from '@pitwall/protocol';
import { call } from '../api.js';
import { AppShell, type Screen } from '../components/app-shell.js';
import { LogDetailPanel } from '../components/diagnostics/log-detail.js';
import { LogList } from '../components/diagnostics/log-list.js';
import { SyncButton } from '../components/diagnostics/sync-button.js';
import { describeError } from '../error-messages.js';
import { useDevices } from '../store/devices-store.js';
import { useDiagnostics } from '../store/diagnostics-store.js';

const PAGE = 300;
const SUBSYSTEMS = ['boot', 'gnss', 'imu', 'led', 'net', 'api', 'update', 'support', 'licence', 'identity', 'serial', 'mdns', 'health', 'crash', 'pipeline'];

interface Filters {
  unitId: string;
  subsystem: string;
  level: string;
  from: string;
  to: string;
  text: string;
}

/** datetime-local value (local time) -> ISO UTC, or undefined. */
function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const ms = new Date(local).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

export function LogsScreen({ appInfo, onNavigate }: { appInfo: { version: string; mode: string } | null; onNavigate(s: Screen): void }) {
  const devices = useDevices((s) => s.devices);
  const generation = useDiagnostics((s) => s.generation);
  const tail = useDiagnostics((s) => s.tail);
  const [filters, setFilters] = useState<Filters>({ unitId: '', subsystem: '', level: '', from: '', to: '', text: '' });
  const [text, setText] = useState('');
  const [rows, setRows] = useState<LogRow[]>([]);
  const [total, setTotal] = useState<{ n: number; capped: boolean } | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<CallError | null>(null);
  const [tailError, setTailError] = useState<CallError | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const loading = useRef(false);
  const query = useRef(0);

  // Typing is debounced; the other filters apply at once.
  useEffect(() => {
    const t = setTimeout(() => setFilters((f) => (f.text === text ? f : { ...f, text })), 250);
    return () => clearTimeout(t);
  }, [text]);

  const params = useCallback(
    (before?: number): LogsQueryParams => ({
      limit: PAGE,
      ...(filters.unitId ? { unitId: filters.unitId } : {}),
      ...(filters.subsystem ? { subsystem: filters.subsystem } : {}),
      ...(filters.level ? { level: filters.level as LogLevel } : {}),
      ...(toIso(filters.from) ? { from: toIso(filters.from) } : {}),
      ...(toIso(filters.to) ? { to: toIso(filters.to) } : {}),
      ...(filters.text.trim() ? { text: filters.text.trim() } : {}),
      ...(before ? { before } : {}),
    }),
    [filters],
  );

  useEffect(() => {
    const mine = ++query.current;
    loading.current = true;
    void call('logs:query', params()).then((res) => {
      if (mine !== query.current) return;
      loading.current = false;
      if (!res.ok) {
        setError(res.error);
        return;
      }
      setError(null);
      setRows(res.value.rows);
      setNext(res.value.next);
      setTotal({ n: res.value.total, capped: res.value.capped });
    });
  }, [params, generation]);

  const loadMore = useCallback(() => {
    if (loading.current || next === null) return;
    loading.current = true;
    const mine = query.current;
    void call('logs:query', params(next)).then((res) => {
      if (mine !== query.current) return;
      loading.current = false;
      if (!res.ok) return setError(res.error);
      setRows((r) => [...r, ...res.value.rows]);
      setNext(res.value.next);
    });
  }, [next, params]);

  const tailing = tail !== null;
  const tailUnit = filters.unitId || null;
  const toggleTail = async (): Promise<void> => {
    setTailError(null);
    if (tailing) return void (await useDiagnostics.getState().stopTail());
    if (!tailUnit) return;
    const err = await useDiagnostics.getState().startTail(tailUnit);
    setTailError(err);
  };
  useEffect(() => () => void useDiagnostics.getState().stopTail(), []);

  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setFilters((f) => ({ ...f, [k]: e.target.value }));
  const shown = tailing && tail ? tail.rows : rows;
  const units = [...devices].sort((a, b) => a.name.localeCompare(b.name));

  return (
    <AppShell screen="logs" onNavigate={onNavigate} appInfo={appInfo} actions={<SyncButton />}>
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
            <LogList rows={shown} selectedId={selected} onSelect={setSelected} onNearEnd={loadMore} showUnit={!filters.unitId} />
          )}
          {selected !== null && <LogDetailPanel id={selected} onClose={() => setSelected(null)} />}
        </div>
      </div>
    </AppShell>
  );
}
