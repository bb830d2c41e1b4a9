import { useCallback } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { AddAddressDialog } from '../components/add-address-dialog.js';
import { DeviceCard } from '../components/device-card.js';
import { EmptyState, ErrorState, LoadingState } from '../components/state-views.js';
import { UnitPanel } from '../components/unit-panel.js';
import { useDevices } from '../store/devices-store.js';
import { useNow } from '../use-now.js';

/** The devices screen's part of the top bar. */
export function DevicesActions() {
  const { phase, devices, setAdding } = useDevices(useShallow((s) => ({ phase: s.phase, devices: s.devices, setAdding: s.setAdding })));
  const online = devices.filter((d) => d.online).length;
  return (
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
  );
}

export function DevicesScreen() {
  const { phase, loadError, devices, selectedId, select, load } = useDevices(
    useShallow((s) => ({ phase: s.phase, loadError: s.loadError, devices: s.devices, selectedId: s.selectedId, select: s.select, load: s.load })),
  );
  const { adding, setAdding } = useDevices(useShallow((s) => ({ adding: s.adding, setAdding: s.setAdding })));
  const now = useNow(1000);
  const selected = devices.find((d) => d.id === selectedId) ?? null;
  const closeDialog = useCallback(() => setAdding(false), []);

  return (
    <>
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
    </>
  );
}
