import { useEffect, useRef, useState } from 'react';
import type { LogRow } from '@pitwall/protocol';

export const ROW_H = 30;

function timeOf(iso: string): string {
  const d = new Date(iso);
  return `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${d.toLocaleTimeString(undefined, { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * A virtualised list of log rows: only the rows in view (plus a margin) are in the DOM, so a
 * long scroll stays smooth; `onNearEnd` asks for the next (older) page.
 */
export function LogList(props: { rows: LogRow[]; selectedId: number | null; onSelect(id: number): void; onNearEnd(): void; showUnit: boolean }) {
  const { rows, onNearEnd } = props;
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useEffect(() => {
    if ((scrollTop + height) / ROW_H > rows.length - 40) onNearEnd();
  }, [scrollTop, height, rows.length, onNearEnd]);
  const first = Math.max(0, Math.floor(scrollTop / ROW_H) - 10);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_H) + 10);
  return (
    <div className="log-list" ref={box} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} role="listbox" aria-label="Log records" data-testid="log-list">
      <div style={{ height: rows.length * ROW_H, position: 'relative' }}>
        {rows.slice(first, last).map((r, i) => (
          <div
            key={r.id}
            role="option"
            aria-selected={r.id === props.selectedId}
            tabIndex={0}
            className={`log-row lvl-${r.level} ${r.id === props.selectedId ? 'is-selected' : ''}`}
            style={{ top: (first + i) * ROW_H }}
            onClick={() => props.onSelect(r.id)}
            onKeyDown={(e) => e.key === 'Enter' && props.onSelect(r.id)}
            data-testid="log-row"
          >
            <span className="log-time mono">{timeOf(r.time)}</span>
            <span className={`level-chip lvl-${r.level}`}>{r.level}</span>
            {props.showUnit && <span className="log-unit" title={r.unitId}>{r.unitName}</span>}
            <span className="log-sub">{r.subsystem}</span>
            <span className="log-msg">{r.msg}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
