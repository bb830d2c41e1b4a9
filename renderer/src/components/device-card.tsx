import type { DeviceEntry } from '@pitwall/protocol';
import { fixLabel } from '../format.js';
import { CopyId } from './copy-id.js';
import { LinkBadges } from './link-badges.js';
import { OnlineState } from './online-state.js';
import { PairingBadge } from './pairing-badge.js';
import { LicenseChip } from './license-chip.js';
import { useLicenses } from '../store/license-store.js';

interface Props {
  device: DeviceEntry;
  selected: boolean;
  now: number;
  onSelect(id: string): void;
}

export function DeviceCard({ device, selected, now, onSelect }: Props) {
  const g = device.gnss;
  const license = useLicenses((s) => s.views[device.id]?.status);
  return (
    <article
      className={`device-card ${selected ? 'is-selected' : ''} ${device.online ? '' : 'is-offline'}`}
      data-testid="device-card"
      data-unit-id={device.id}
      aria-selected={selected}
      role="option"
      tabIndex={0}
      onClick={() => onSelect(device.id)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onSelect(device.id);
        }
      }}
    >
      <header className="card-head">
        <h3 className="unit-name" data-testid="unit-name" title={device.name}>
          {device.name}
        </h3>
        <div className="card-head-right">
          <PairingBadge pairing={device.pairing} />
          <OnlineState online={device.online} lastSeen={device.lastSeen} now={now} />
        </div>
      </header>
      <dl className="card-facts">
        <div>
          <dt>Model</dt>
          <dd data-testid="unit-model">{device.model}</dd>
        </div>
        <div>
          <dt>Firmware</dt>
          <dd className="mono" data-testid="unit-firmware" title={device.commit ? `commit ${device.commit}` : undefined}>
            {device.firmware}
          </dd>
        </div>
        <div>
          <dt>ID</dt>
          <dd>
            <CopyId id={device.id} />
          </dd>
        </div>
      </dl>
      <footer className="card-foot">
        <LinkBadges links={device.links} now={now} />
        <span className={`gnss-chip fix-${g?.fix ?? 'unknown'}`} data-testid="gnss-chip">
          {g ? `${fixLabel[g.fix]} · ${g.satellites} sats` : 'GNSS unknown'}
        </span>
      </footer>
      <div className="card-license">
        <LicenseChip status={license} />
      </div>
    </article>
  );
}
