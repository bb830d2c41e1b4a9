import { useEffect, useState, type ReactNode } from 'react';
import { AppShell, type Screen } from './components/app-shell.js';
import { CrashesActions, CrashesScreen } from './screens/crashes-screen.js';
import { DevicesActions, DevicesScreen } from './screens/devices-screen.js';
import { HealthActions, HealthScreen } from './screens/health-screen.js';
import { SyncButton } from './components/diagnostics/sync-button.js';
import { LogsScreen } from './screens/logs-screen.js';
import { SessionsScreen } from './screens/sessions-screen.js';
import { UpdatesScreen } from './screens/updates-screen.js';
import { FleetScreen } from './screens/fleet-screen.js';
import { HubActions, HubScreen } from './screens/hub-screen.js';
import { useCompanion } from './store/companion-store.js';
import { LicensesScreen } from './screens/licenses-screen.js';
import { LicenseInstallDialog } from './components/license-install-dialog.js';
import { useLicenses } from './store/license-store.js';

const SCREENS: readonly Screen[] = ['devices', 'sessions', 'logs', 'health', 'crashes', 'updates', 'licenses', 'fleet', 'hub'];

/** Each screen's content and its part of the top bar. */
const SCREEN_PARTS: Record<Screen, { Content: () => ReactNode; Actions: (() => ReactNode) | null }> = {
  devices: { Content: DevicesScreen, Actions: DevicesActions },
  sessions: { Content: SessionsScreen, Actions: null },
  logs: { Content: LogsScreen, Actions: SyncButton },
  health: { Content: HealthScreen, Actions: HealthActions },
  crashes: { Content: CrashesScreen, Actions: CrashesActions },
  updates: { Content: UpdatesScreen, Actions: null },
  licenses: { Content: LicensesScreen, Actions: null },
  fleet: { Content: FleetScreen, Actions: null },
  hub: { Content: HubScreen, Actions: HubActions },
};

/** The screen named in the address fragment (#logs), so a reload stays where it was. */
function screenFromHash(): Screen {
  const h = window.location.hash.replace(/^#/, '');
  return (SCREENS as readonly string[]).includes(h) ? (h as Screen) : 'devices';
}

export function App() {
  const info = useCompanion((s) => s.info);
  const [screen, setScreen] = useState<Screen>(screenFromHash);
  useEffect(() => {
    void useCompanion.getState().loadInfo();
    // Licences show on the unit cards and panel too: every unit's last reported one, from the start.
    void useLicenses.getState().load();
  }, []);
  const navigate = (s: Screen): void => {
    setScreen(s);
    if (!window.location.hash.includes('token=')) window.history.replaceState(null, '', s === 'devices' ? window.location.pathname : `#${s}`);
  };
  const { Content, Actions } = SCREEN_PARTS[screen];
  // Every screen in the same shell: the shell stays, the screen's content and its part of the top bar change.
  return (
    <AppShell screen={screen} onNavigate={navigate} appInfo={info} actions={Actions ? <Actions /> : undefined}>
      <Content />
      <LicenseInstallDialog />
    </AppShell>
  );
}
