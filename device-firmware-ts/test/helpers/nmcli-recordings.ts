import { join } from 'node:path';
import { readTestData, repoRoot } from './paths.js';

/** One recorded nmcli call (testdata/nmcli/generated.json; see its ORIGIN.md). */
export interface NmcliRecording {
  n: number;
  argv: string[];
  note: string;
  returncode: number;
  stdout: string;
  stderr: string;
  stdout_b64: string;
  stderr_b64: string;
}

export const nmcliRecordings: NmcliRecording[] = JSON.parse(readTestData('nmcli', 'generated.json')) as NmcliRecording[];
export const recording = (n: number): NmcliRecording => nmcliRecordings.find((r) => r.n === n)!;
/** The exact bytes nmcli printed. */
export const recordedStdout = (n: number): string => Buffer.from(recording(n).stdout_b64, 'base64').toString('utf8');
export const recordedStderr = (n: number): string => Buffer.from(recording(n).stderr_b64, 'base64').toString('utf8');

/** The stand-in nmcli (replays the recordings, logs argv to FAKE_NMCLI_DIR/argv.jsonl). */
export const fakeNmcli = join(repoRoot, 'testbed', 'fake-nmcli', 'nmcli');
