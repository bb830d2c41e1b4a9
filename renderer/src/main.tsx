import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { LiveFix } from '@pitwall/protocol';
import { on } from './api.js';
import { App } from './app.js';
import { useDevices } from './store/devices-store.js';
import { useSessions } from './store/sessions-store.js';
import { useDiagnostics } from './store/diagnostics-store.js';
import { useTiming } from './store/timing-store.js';
import './styles.css';

// Events feed the store directly; components only read it.
on('devices:changed', (list) => useDevices.getState().setDevices(list));
// Fixes come 10-25 a second per unit (many more from a fast replay): the charts redraw for a
// batch at most every 100 ms, so drawing never falls behind the feed.
const pendingFixes = new Map<string, { fixes: LiveFix[]; at: number[] }>();
let flushTimer: ReturnType<typeof setTimeout> | null = null;
on('live:fix', ({ id, fix }) => {
  const batch = pendingFixes.get(id) ?? { fixes: [], at: [] };
  batch.fixes.push(fix);
  batch.at.push(Date.now());
  pendingFixes.set(id, batch);
  flushTimer ??= setTimeout(() => {
    flushTimer = null;
    for (const [unit, b] of pendingFixes) useDevices.getState().pushFixes(unit, b.fixes, b.at);
    pendingFixes.clear();
  }, 100);
});
on('live:timing', ({ id, timing }) => useTiming.getState().pushTiming(id, timing));
on('live:lap', ({ id, lap }) => useTiming.getState().pushLap(id, lap));
on('sync:progress', (p) => useDiagnostics.getState().setProgress(p));
on('logs:tail', ({ unitId, rows }) => useDiagnostics.getState().pushTail(unitId, rows));
on('sessions:progress', (p) => useSessions.getState().setProgress(p));
void useDevices.getState().load();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
