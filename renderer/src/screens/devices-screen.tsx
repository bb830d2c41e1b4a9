import { useCallback, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { AddAddressDialog } from '../components/add-address-dialog.js';
import { DeviceCard } from '../components/device-card.js';
import { EmptyState, ErrorState, LoadingState } from '../components/state-views.js';
import { UnitPanel } from '../components/unit-panel.js';
import { useDevices } from '../store/devices-store.js';
import { useNow } from '../use-now.js';
import { AppShell, type Screen } from '../components/app-shell.js';

export function DevicesScreen({ appInfo, onNavigate }: { appInfo: { version: string; mode: string } | null; onNavigate(screen: Screen): void }) {
  const { phase, loadError, devices, selectedId, select, load } = useDevices(
    useShallow((s) => ({ phase: s.phase, loadError: s.loadError, devices: s.devices, selectedId: s.selectedId, select: s.select, load: s.load })),
  );
  const [adding, setAdding] = useState(false);
  const now = useNow(1000);
  const selected = devices.find((d) => d.id === selectedId) ?? null;
  const online = devices.filter((d) => d.online).length;
  const closeDialog = useCallback(() => setAdding(false), []);

  return (
    <AppShell
      screen="devices"
      onNavigate={onNavigate}
      appInfo={appInfo}
      actions={
        <>
          <div className="topbar-summary" data-testid="fleet-summary">
            {phase === 'ready' && devices.length > 0 && (
              <>
                <strong>{devices.length}</strong> {devices.length === 1 ? 'unit' : 'units'} · <strong className="ok">{online}</strong> online
              </>
            )}
          </div>
          <button type="button" className="btn btn-primary" onClick={() => setAdding(true)} data-testid="add-address-button">
            Add by address
          </button>
        </>
      }
    >
        {phase === 'loading' && <LoadingState />}
        {phase === 'error' && loadError && <ErrorState error={loadError} onRetry={() => void load()} />}
        {phase === 'ready' && devices.length === 0 && <EmptyState onAdd={() => setAdding(true)} />}
        {phase === 'ready' && devices.length > 0 && (
          <div className={`split ${selected ? 'has-panel' : ''}`}>
            <section className="device-list" role="listbox" aria-label="Units" data-testid="device-list">
              {devices.map((d) => (
                <DeviceCard key={d.id} device={d} selected={d.id === selectedId} now={now} onSelect={(id) => select(id === selectedId ? null : id)} />
              ))}
            </section>
            {selected ? (
              <UnitPanel key={selected.id} device={selected} now={now} onClose={() => select(null)} />
            ) : (
              <aside className="panel-placeholder">
                <p>Select a unit to see its live position, speed and satellites.</p>
              </aside>
            )}
          </div>
        )}

      {adding && (
        <AddAddressDialog
          onClose={closeDialog}
          onAdded={() => {
            setAdding(false);
          }}
        />
      )}
    </AppShell>
  );
}
