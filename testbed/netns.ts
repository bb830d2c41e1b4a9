import { execFileSync } from 'node:child_process';

/**
 * A simulated LAN in network namespaces: one "host" namespace (where the companion runs)
 * with a bridge, and one namespace per unit joined to the bridge by a veth pair, plus a
 * multicast route so mDNS works. Nothing touches the machine's real interfaces.
 * Needs root and iproute2.
 */
export interface SimLan {
  readonly prefix: string;
  readonly hostNs: string;
  readonly hostAddress: string;
  /** Unit namespaces in creation order. */
  readonly units: { ns: string; address: string }[];
  addUnit(): { ns: string; address: string };
  removeUnit(ns: string): void;
  destroy(): void;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Short unique prefix (interface names are limited to 15 characters). */
export function lanPrefix(tag: string): string {
  return `${tag.slice(0, 3)}${(process.pid % 10000).toString(36)}${Math.floor(Math.random() * 36 ** 2).toString(36)}`;
}

/** Subnet 10.<a>.<b>.0/16 is chosen from the prefix, so parallel LANs do not collide. */
export function createSimLan(prefix: string, subnetIndex = Math.floor(Math.random() * 200) + 20): SimLan {
  const hostNs = `${prefix}-host`;
  const br = `${prefix}br`;
  const net = `10.${subnetIndex}`;
  const units: { ns: string; address: string }[] = [];
  let next = 0;
  ip('netns', 'add', hostNs);
  ip('-n', hostNs, 'link', 'set', 'lo', 'up');
  ip('-n', hostNs, 'link', 'add', br, 'type', 'bridge');
  ip('-n', hostNs, 'addr', 'add', `${net}.0.1/16`, 'dev', br);
  ip('-n', hostNs, 'link', 'set', br, 'up');
  ip('-n', hostNs, 'route', 'add', '224.0.0.0/4', 'dev', br);

  const lan: SimLan = {
    prefix,
    hostNs,
    hostAddress: `${net}.0.1`,
    units,
    addUnit() {
      const n = ++next;
      const ns = `${prefix}-u${n}`;
      const address = `${net}.${Math.floor(n / 250) + 1}.${(n % 250) + 1}`;
      const outer = `${prefix}h${n}`;
      const inner = `${prefix}d${n}`;
      ip('netns', 'add', ns);
      ip('link', 'add', inner, 'netns', ns, 'type', 'veth', 'peer', 'name', outer, 'netns', hostNs);
      ip('-n', hostNs, 'link', 'set', outer, 'master', br);
      ip('-n', hostNs, 'link', 'set', outer, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'addr', 'add', `${address}/16`, 'dev', inner);
      ip('-n', ns, 'link', 'set', inner, 'up');
      ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', inner);
      const unit = { ns, address };
      units.push(unit);
      return unit;
    },
    removeUnit(ns) {
      const i = units.findIndex((u) => u.ns === ns);
      if (i >= 0) units.splice(i, 1);
      try {
        ip('netns', 'del', ns);
      } catch {
        /* already gone */
      }
    },
    destroy() {
      for (const u of [...units]) lan.removeUnit(u.ns);
      try {
        ip('netns', 'del', hostNs);
      } catch {
        /* already gone */
      }
    },
  };
  return lan;
}

/** Removes namespaces left by an earlier run that was killed (by prefix). */
export function removeStaleNamespaces(prefix: string): void {
  const out = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const name = line.split(' ')[0];
    if (name && name.startsWith(prefix)) {
      try {
        ip('netns', 'del', name);
      } catch {
        /* gone */
      }
    }
  }
}
