import type { DeviceLink, LinkKind } from '@pitwall/protocol';
import { ago } from '../format.js';

const LABEL: Record<LinkKind, string> = { mdns: 'Wi-Fi', usb: 'USB', address: 'Address' };
const HINT: Record<LinkKind, string> = {
  mdns: 'Found on the local network (mDNS)',
  usb: 'Connected by USB cable',
  address: 'Added by address',
};

export function LinkBadges({ links, now }: { links: DeviceLink[]; now: number }) {
  const order: LinkKind[] = ['usb', 'mdns', 'address'];
  const sorted = [...links].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  return (
    <ul className="link-badges" data-testid="link-badges">
      {sorted.map((l) => (
        <li
          key={`${l.kind}:${l.target}`}
          className={`badge badge-${l.kind} ${l.online ? 'is-online' : 'is-offline'}`}
          data-testid={`link-${l.kind}`}
          title={`${HINT[l.kind]}: ${l.target} — ${l.online ? 'reachable' : `not reachable, last seen ${ago(l.lastSeen, now)}`}`}
        >
          <span className="badge-dot" aria-hidden="true" />
          {LABEL[l.kind]}
        </li>
      ))}
    </ul>
  );
}
