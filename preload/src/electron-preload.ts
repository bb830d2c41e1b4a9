import { contextBridge, ipcRenderer } from 'electron';
import type { CallResult, MethodName, MethodParams, MethodResult, PitwallApi } from '@pitwall/protocol';
import { Listeners } from './listeners.js';

/**
 * The sandboxed preload: exposes window.pitwall (call + on) and nothing else. ipcRenderer stays
 * here; the page only gets these two functions, and main validates every call again.
 */
const listeners = new Listeners();
ipcRenderer.on('pitwall:event', (_event, msg: unknown) => {
  if (typeof msg === 'object' && msg !== null) {
    const { event, payload } = msg as { event?: unknown; payload?: unknown };
    listeners.emit(event, payload);
  }
});

const api: PitwallApi = {
  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<CallResult<MethodResult<M>>> {
    return ipcRenderer.invoke('pitwall:call', { method, params }) as Promise<CallResult<MethodResult<M>>>;
  },
  on: (event, listener) => listeners.add(event, listener),
};

contextBridge.exposeInMainWorld('pitwall', api);
