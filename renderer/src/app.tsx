import { useEffect, useState } from 'react';
import { call } from './api.js';
import { AppShell, type Screen } from './components/app-shell.js';
import { CrashesScreen } from './screens/crashes-screen.js';
import { DevicesScreen } from './screens/devices-screen.js';
import { HealthScreen } from './screens/health-screen.js';
import { LogsScreen } from './screens/logs-screen.js';
import { SessionsScreen } from './screens/sessions-screen.js';

const SCREENS: readonly Screen[] = ['devices', 'sessions', 'logs', 'health', 'crashes'];

/** The screen named in the address fragment (#logs), so a reload stays where it was. */
function screenFromHash(): Screen {
  const h = window.location.hash.replace(/^#/, '');
  return (SCREENS as readonly string[]).includes(h) ? (h as Screen) : 'devices';
}

export function App() {
  const [info, setInfo] = useState<{ version: string; mode: string } | null>(null);
  const [screen, setScreen] = useState<Screen>(screenFromHash);
  useEffect(() => {
    void call('app:info', {}).then((res) => res.ok && setInfo(res.value));
  }, []);
  const navigate = (s: Screen): void => {
    setScreen(s);
    if (!window.location.hash.includes('token=')) window.history.replaceState(null, '', s === 'devices' ? window.location.pathname : `#${s}`);
  };
  if (screen === 'sessions')
    return (
      <AppShell screen="sessions" onNavigate={navigate} appInfo={info}>
        <SessionsScreen />
      </AppShell>
    );
  if (screen === 'logs') return <LogsScreen appInfo={info} onNavigate={navigate} />;
  if (screen === 'health') return <HealthScreen appInfo={info} onNavigate={navigate} />;
  if (screen === 'crashes') return <CrashesScreen appInfo={info} onNavigate={navigate} />;
  return <DevicesScreen appInfo={info} onNavigate={navigate} />;
}
