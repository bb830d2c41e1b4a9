import { execFileSync } from 'node:child_process';
import type { SimLan } from './netns.js';

/**
 * One more namespace on a SimLan's bridge, reached by every unit through a single bridge port
 * whose egress (units -> this namespace) is shaped by tbf: the one shared link a whole paddock
 * of units downloads over. The companion runs in `ns` at `address`.
 */
export interface ShapedUplink {
  readonly ns: string;
  readonly address: string;
  destroy(): void;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** `down: true` shapes the other direction too (this namespace -> units): a push from the companion. */
export function addShapedUplink(lan: SimLan, rateMbit: number, o: { down?: boolean } = {}): ShapedUplink {
  const ns = `${lan.prefix}-up`;
  const outer = `${lan.prefix}uo`;
  const inner = `${lan.prefix}ui`;
  // The bridge's own address is <net>.0.1/16; the uplink takes <net>.0.2.
  const address = lan.hostAddress.replace(/\.1$/, '.2');
  ip('netns', 'add', ns);
  try {
    ip('link', 'add', inner, 'netns', ns, 'type', 'veth', 'peer', 'name', outer, 'netns', lan.hostNs);
    ip('-n', lan.hostNs, 'link', 'set', outer, 'master', `${lan.prefix}br`);
    ip('-n', lan.hostNs, 'link', 'set', outer, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'addr', 'add', `${address}/16`, 'dev', inner);
    ip('-n', ns, 'link', 'set', inner, 'up');
    // burst: at least one rate-quantum of a 4 ms timer tick, so tbf can reach the rate.
    const burstKbit = Math.max(32, Math.ceil(rateMbit * 4));
    ip('netns', 'exec', lan.hostNs, 'tc', 'qdisc', 'add', 'dev', outer, 'root', 'tbf', 'rate', `${rateMbit}mbit`, 'burst', `${burstKbit}kbit`, 'latency', '50ms');
    if (o.down) ip('netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', inner, 'root', 'tbf', 'rate', `${rateMbit}mbit`, 'burst', `${burstKbit}kbit`, 'latency', '50ms');
  } catch (err) {
    ip('netns', 'del', ns);
    throw err;
  }
  return {
    ns,
    address,
    destroy() {
      try {
        ip('netns', 'del', ns);
      } catch {
        /* already gone */
      }
    },
  };
}
