import { ago } from '../format.js';

export function OnlineState({ online, lastSeen, now }: { online: boolean; lastSeen: number; now: number }) {
  return (
    <span className={`online-state ${online ? 'is-online' : 'is-offline'}`} data-testid="online-state">
      <span className="status-dot" aria-hidden="true" />
      {online ? 'Online' : `Offline · seen ${ago(lastSeen, now)}`}
    </span>
  );
}
