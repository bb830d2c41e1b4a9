import { useEffect, useState } from 'react';
import { call } from './api.js';
import { DevicesScreen } from './screens/devices-screen.js';

export function App() {
  const [info, setInfo] = useState<{ version: string; mode: string } | null>(null);
  useEffect(() => {
    void call('app:info', {}).then((res) => res.ok && setInfo(res.value));
  }, []);
  return <DevicesScreen appInfo={info} />;
}
