import { useEffect, useState } from 'react';
import { call } from './api.js';
import { DevicesScreen } from './screens/devices-screen.js';
import { SessionsScreen } from './screens/sessions-screen.js';

export function App() {
  const [info, setInfo] = useState<{ version: string; mode: string } | null>(null);
  const [tab, setTab] = useState<'devices' | 'sessions'>(() => (location.hash.includes('sessions') ? 'sessions' : 'devices'));
  useEffect(() => {
    void call('app:info', {}).then((res) => res.ok && setInfo(res.value));
  }, []);
  return (
    <>
      <nav className="tabs" aria-label="Screens">
        <button type="button" aria-pressed={tab === 'devices'} onClick={() => setTab('devices')} data-testid="tab-devices">
          Units
        </button>
        <button type="button" aria-pressed={tab === 'sessions'} onClick={() => setTab('sessions')} data-testid="tab-sessions">
          Sessions
        </button>
      </nav>
      {tab === 'devices' ? <DevicesScreen appInfo={info} /> : <SessionsScreen />}
    </>
  );
}
