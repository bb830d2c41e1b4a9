import { useEffect } from 'react';
import { HubConnectPanel } from '../components/hub/hub-connect-panel.js';
import { HubGroupsPanel } from '../components/hub/hub-groups-panel.js';
import { HubRostersPanel } from '../components/hub/hub-rosters-panel.js';
import { HubRegistryPanel } from '../components/hub/hub-registry-panel.js';
import { HubSharePanel } from '../components/hub/hub-share-panel.js';
import { HubStatusLine } from '../components/hub/hub-status-line.js';
import { HubUnitsPanel } from '../components/hub/hub-units-panel.js';
import { useHub } from '../store/hub-store.js';
import { useNow } from '../use-now.js';

/**
 * The academy's hub, for staff and drivers: connect (the hub's key pinned and shown), the groups
 * one is in, this computer's units registered with it (live, or store and forward), sessions to
 * share with the groups (queued while the hub is out of reach), the track
 * registry, and one status line of how the last sync went.
 */
export function HubScreen() {
  const { status, load } = useHub();
  const now = useNow(15_000);
  useEffect(() => void load(), [load]);
  const connected = Boolean(status?.connection);
  return (
    <div className="hub-screen" data-testid="hub-screen">
      <div className="sessions-toolbar">
        <h2>Hub</h2>
      </div>
      <HubStatusLine now={now} />
      <div className="hub-grid">
        <div className="hub-col">
          <HubConnectPanel />
          {connected && <HubGroupsPanel now={now} />}
          {connected && <HubRostersPanel hubKey={status!.connection!.fingerprint} />}
        </div>
        {connected && (
          <div className="hub-col">
            <HubSharePanel />
            <HubRegistryPanel now={now} />
            <HubUnitsPanel hubKey={status!.connection!.fingerprint} />
          </div>
        )}
      </div>
    </div>
  );
}

/** The Hub screen's part of the top bar: sync now. */
export function HubActions() {
  const { status, run, busy } = useHub();
  if (!status?.connection) return null;
  return (
    <div className="sync-box">
      <button type="button" className="btn btn-primary" disabled={busy !== null} onClick={() => void run('hub:sync', {})} data-testid="hub-sync">
        {busy === 'hub:sync' || status.running ? 'Syncing…' : 'Sync now'}
      </button>
    </div>
  );
}
