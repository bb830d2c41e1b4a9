/** Checks a unit address typed by hand; returns a sentence saying what is wrong, or null. */
export function validateAddress(raw: string): string | null {
  const value = raw.trim();
  if (value === '') return 'Enter the unit’s address, for example 192.168.4.20:8080.';
  if (/\s/.test(value)) return 'An address has no spaces. Use HOST:PORT, for example 192.168.4.20:8080.';
  if (/^[a-z]+:\/\//i.test(value)) return 'Leave out the http:// part. Use HOST:PORT, for example 192.168.4.20:8080.';
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(.*)$/.exec(value);
  if (!m) return 'Add the port after a colon, for example 192.168.4.20:8080 (the port is shown on the unit’s screen).';
  const host = m[1]!;
  const port = m[2]!;
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return `“${port}” is not a port. Use a number from 1 to 65535.`;
  if (host.startsWith('[')) return null;
  if (/^[\d.]+$/.test(host)) {
    const parts = host.split('.');
    if (parts.length !== 4 || parts.some((p) => p === '' || Number(p) > 255)) return `“${host}” is not a valid IPv4 address.`;
    return null;
  }
  if (host.length > 253 || !/^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$/.test(host)) {
    return `“${host}” is not a valid host name or IP address.`;
  }
  return null;
}
