/** "HOST:PORT" or "[v6]:PORT" where the tunnel's listen port is reachable: the host (no brackets) and port, or null. */
export function parseRelayAddress(text: string): { host: string; port: number } | null {
  const m = /^([A-Za-z0-9.:_-]+?|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 1 && port <= 65535)) return null;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}
