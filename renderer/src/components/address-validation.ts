/**
 * Checks a unit address typed by hand before it is sent; returns a sentence saying what is
 * wrong, or null. Mirrors what the companion accepts (host, host:port, [IPv6]:port,
 * http://host:port); the companion checks again and its message is shown when it refuses.
 */
export function validateAddress(raw: string): string | null {
  let rest = raw.trim();
  if (rest === '') return 'Enter the unit’s address, for example 192.168.4.20:8080.';
  if (/\s/.test(rest)) return 'An address has no spaces. Use HOST:PORT, for example 192.168.4.20:8080.';
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (scheme) {
    if (scheme[1]!.toLowerCase() !== 'http') return `Units speak http, not ${scheme[1]}. Use HOST:PORT, for example 192.168.4.20:8080.`;
    rest = rest.slice(scheme[0].length).replace(/\/$/, '');
  }
  if (/[/?#@\\]/.test(rest)) return 'Only a host and a port, please: no path, user name or query. For example 192.168.4.20:8080.';
  let host = rest;
  let port: string | undefined;
  if (rest.startsWith('[')) {
    const m = /^\[([0-9a-fA-F:.]+)\](?::(.*))?$/.exec(rest);
    if (!m) return 'Write an IPv6 address in brackets, then the port: [fe80::1]:8080.';
    port = m[2];
    host = '';
  } else if (rest.split(':').length > 2) {
    if (!/^[0-9a-fA-F:.]+$/.test(rest)) return 'That has too many colons. Write IPv6 addresses in brackets: [fe80::1]:8080.';
    host = '';
  } else if (rest.includes(':')) {
    const i = rest.lastIndexOf(':');
    host = rest.slice(0, i);
    port = rest.slice(i + 1);
    if (host === '') return 'The host is missing before the colon, for example 192.168.4.20:8080.';
  }
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    return `“${port.slice(0, 20)}” is not a port. Use a number from 1 to 65535.`;
  }
  if (host === '') return null;
  if (/^[\d.]+$/.test(host)) {
    const parts = host.split('.');
    if (parts.length !== 4 || parts.some((p) => p === '' || p.length > 3 || Number(p) > 255)) return `“${host.slice(0, 40)}” is not a valid IPv4 address.`;
    return null;
  }
  const labels = host.replace(/\.$/, '').split('.');
  if (host.length > 253 || labels.some((l) => !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l))) {
    return `“${host.slice(0, 40)}” is not a valid host name or IP address.`;
  }
  return null;
}
