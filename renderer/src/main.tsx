import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { on } from './api.js';
import { App } from './app.js';
import { useDevices } from './store/devices-store.js';
import { useSessions } from './store/sessions-store.js';
import { useDiagnostics } from './store/diagnostics-store.js';
import { useTiming } from './store/timing-store.js';
import './styles.css';

// Events feed the store directly; components only read it.
on('devices:changed', (list) => useDevices.getState().setDevices(list));
on('live:fix', ({ id, fix }) => useDevices.getState().pushFix(id, fix));
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
