import { join } from 'node:path';
import type { SlotManifest } from '@pitwall/protocol/update';

/**
 * Settings the launcher gives every start of a slot's runtime (docs/compiled-runtime.md,
 * "Resident memory"), both fixed when the process starts, so they cannot be set from inside like
 * memory-mode.ts: a young generation of 1 MB semi-spaces instead of up to 16 MB, which V8 grows
 * to under the steady allocation of boot and recording and gives back only once the unit idles;
 * one V8 background thread instead of four (each keeps its own stack and malloc arena; the GC
 * work of this runtime is small). No heap limit: a limit turns a slow leak into a crash.
 */
export const RUNTIME_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--v8-pool-size=1'];

/**
 * How the launcher starts a slot's runtime: a JavaScript entry with its own Node and the flags
 * as arguments; a single executable as it is, the flags in NODE_OPTIONS (its only way in). The
 * executable gets no other NODE_OPTIONS: the launcher's own (a test's loader) are not for it.
 */
export function slotRuntimeCommand(slotDir: string, manifest: SlotManifest, args: readonly string[], env: NodeJS.ProcessEnv): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  const entry = join(slotDir, manifest.entry);
  if (manifest.entryKind === 'executable') return { file: entry, args: [...args], env: { ...env, NODE_OPTIONS: RUNTIME_NODE_FLAGS.join(' ') } };
  return { file: process.execPath, args: [...RUNTIME_NODE_FLAGS, entry, ...args], env };
}
