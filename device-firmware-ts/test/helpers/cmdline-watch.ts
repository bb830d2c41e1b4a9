import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Watches every process's argv (/proc/PID/cmdline) in a process of its own, so it keeps reading
 * while the test waits on the unit (a sweep every few ms: an nmcli call lives far longer). The secrets come in on stdin (never on its own argv).
 * stop() returns the number of sweeps, the argvs holding a secret, and how many distinct argvs
 * matching `seen` it saw (proof that it watched the calls in question).
 */
const WATCHER = `
const fs = require('node:fs');
let secrets = [], sweeps = 0, stop = false;
const hits = new Set(), seen = new Set();
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => { stop = true; });
const lines = () => input.split('\\n');
function sweep() {
  const [seenPattern, ...sec] = lines();
  if (sec.length) secrets = sec.filter(Boolean);
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\\d+$/.test(pid) || pid === String(process.pid)) continue;
    let cmd;
    try { cmd = fs.readFileSync('/proc/' + pid + '/cmdline', 'latin1'); } catch { continue; }
    if (seenPattern && cmd.includes(seenPattern)) seen.add(pid + ' ' + cmd);
    for (const s of secrets) if (cmd.includes(s)) hits.add(cmd.replace(/\\0/g, ' '));
  }
  sweeps++;
  if (stop) { process.stdout.write(JSON.stringify({ sweeps, hits: [...hits], seen: seen.size })); return; }
  setTimeout(sweep, 3);
}
setTimeout(sweep, 0);
`;

export interface CmdlineWatch {
  stop(): Promise<{ sweeps: number; hits: string[]; seen: number }>;
}

export function watchCmdlines(seen: string, secrets: string[]): CmdlineWatch {
  const child: ChildProcess = spawn(process.execPath, ['-e', WATCHER], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin!.write(`${seen}\n${secrets.join('\n')}\n`);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  return {
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin!.end();
      await exited;
      return JSON.parse(out) as { sweeps: number; hits: string[]; seen: number };
    },
  };
}
