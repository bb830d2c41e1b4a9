import type { TestContext } from 'node:test';

/**
 * Tests that build network namespaces need root. Outside CI they skip with the reason;
 * in CI (CI=true) a missing privilege fails the test instead of hiding it.
 */
export function needsRoot(t: TestContext): boolean {
  if (process.getuid?.() === 0) return true;
  if (process.env.CI) throw new Error('this test needs root (network namespaces); CI runs as root');
  t.skip('needs root for network namespaces');
  return false;
}
