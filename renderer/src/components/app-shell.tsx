import type { ReactNode } from 'react';

export type Screen = 'devices' | 'sessions' | 'logs' | 'health' | 'crashes' | 'updates' | 'licenses' | 'fleet' | 'hub';

const SCREENS: { id: Screen; label: string }[] = [
  { id: 'devices', label: 'Devices' },
  { id: 'sessions', label: 'Sessions' },
  { id: 'logs', label: 'Logs' },
  { id: 'health', label: 'Health' },
  { id: 'crashes', label: 'Crashes' },
  { id: 'updates', label: 'Updates' },
  { id: 'licenses', label: 'Licences' },
  { id: 'fleet', label: 'Fleet' },
  { id: 'hub', label: 'Hub' },
];

/** The frame every screen shares: brand, top-level navigation, the screen's own actions, status bar. */
export function AppShell(props: {
  screen: Screen;
  onNavigate(screen: Screen): void;
  appInfo: { version: string; mode: string } | null;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const { appInfo } = props;
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Pitwall</span>
          <span className="brand-sub">Fleet</span>
        </div>
        <nav className="main-nav" aria-label="Screens">
          {SCREENS.map((s) => (
            <button
              key={s.id}
              type="button"
              className={`nav-tab ${props.screen === s.id ? 'is-active' : ''}`}
              aria-current={props.screen === s.id ? 'page' : undefined}
              onClick={() => props.onNavigate(s.id)}
              data-testid={`nav-${s.id}`}
            >
              {s.label}
            </button>
          ))}
        </nav>
        {props.actions}
      </header>
      <main className="content">{props.children}</main>
      <footer className="statusbar">
        <span>Pitwall {appInfo?.version ?? ''}</span>
        <span>{appInfo ? (appInfo.mode === 'electron' ? 'Desktop' : 'Browser mode · this computer only') : ''}</span>
      </footer>
    </div>
  );
}
