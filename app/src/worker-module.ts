import { Worker, type TransferListItem } from 'node:worker_threads';

/** This process's Node flags without its module loaders (a worker would load them for nothing). */
function flagsWithoutLoaders(): string[] {
  const loader = /^(?:--import|--require|-r|--loader|--experimental-loader)$/;
  const out: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const a = process.execArgv[i]!;
    if (loader.test(a)) i++;
    else if (!loader.test(a.split('=')[0]!)) out.push(a);
  }
  return out;
}

/**
 * A prelude (see startWorkerModule) that lowers the new thread's CPU priority on Linux, where the
 * nice value is per thread, before tsx loads: background work (indexing) yields to the UI.
 */
export const LOW_PRIORITY_PRELUDE = "try { if (process.platform === 'linux') require('node:os').setPriority(0, 10); } catch {}";

/**
 * Starts the worker module `name` that sits next to `callerUrl`: the built `name.js`, or, from
 * the TypeScript sources (tests and benchmarks run them through tsx), `name.ts` with tsx
 * registered inside the worker first — on Node 20 a worker does not get the loader hooks of the
 * thread that started it. `prelude` (CommonJS) runs before tsx loads, in that case only.
 */
export function startWorkerModule(callerUrl: string, name: string, workerData: unknown, prelude = '', transferList: TransferListItem[] = []): Worker {
  const execArgv = flagsWithoutLoaders();
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), { workerData, execArgv, transferList });
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`${prelude}\nimport(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`, { eval: true, workerData, execArgv, transferList });
}
