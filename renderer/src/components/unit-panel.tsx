import { useEffect, useState } from 'react';
import type { DeviceEntry } from '@pitwall/protocol';
import { describeError } from '../error-messages.js';
import { ago, coord, fixLabel, kmh, seconds, uptime } from '../format.js';
import { useDevices } from '../store/devices-store.js';
import { CopyId } from './copy-id.js';
import { OnlineState } from './online-state.js';
import { LiveTiming } from './live-timing.js';
import { SpeedChart } from './speed-chart.js';
import { TrackTrace } from './track-trace.js';
import { PairingBadge } from './pairing-badge.js';
import { TrustSection } from './trust-section.js';
import { SupportSection } from './support-section.js';
import { WifiSection } from './wifi-section.js';
import { FeatureGate } from './feature-gate.js';
import { LicenseSection } from './license-section.js';

const LINK_LABEL = { mdns: 'Wi-Fi (mDNS)', usb: 'USB', address: 'Address' } as const;

/** The unit's live fixes and status while the panel is open (trusted units only). */
function useLiveUnit(id: string, trusted: boolean): void {
  useEffect(() => (trusted ? useDevices.getState().watch(id) : undefined), [id, trusted]);
}

export function UnitPanel({ device, now, onClose }: { device: DeviceEntry; now: number; onClose(): void }) {
  const trusted = device.pairing.state === 'paired' || device.pairing.state === 'conflict';
  useLiveUnit(device.id, trusted);
  const live = useDevices((s) => s.live[device.id]);
  const forget = useDevices((s) => s.forget);
  const [confirmForget, setConfirmForget] = useState(false);
  const [forgetError, setForgetError] = useState<string | null>(null);

  const fix = live?.fixes.at(-1) ?? null;
  const status = trusted ? (live?.status ?? null) : null;
  const gnss = status?.gnss ?? device.gnss;
  const fixType = fix?.fix ?? gnss?.fix ?? 'none';
  const speed = fix ? fix.speedMps : (gnss?.speedMps ?? null);
  const sats = fix?.satellites ?? gnss?.satellites ?? null;
  const hdop = fix ? fix.hdop : (gnss?.hdop ?? null);
  const pos = fix ? { lat: fix.lat, lon: fix.lon, altM: fix.altM } : (gnss?.position ?? null);
  const lastFixAt = live?.receivedAt.at(-1) ?? null;
  const stale = lastFixAt !== null && now - lastFixAt > 3000;
  const statusErr = trusted && live?.statusError ? describeError(live.statusError) : null;

  const onForget = async () => {
    if (!confirmForget) {
      setConfirmForget(true);
      return;
    }
    const err = await forget(device.id);
    if (err) setForgetError(describeError(err).sentence);
  };

  return (
    <section className="unit-panel" data-testid="unit-panel" data-unit-id={device.id} aria-label={`Unit ${device.name}`}>
      <header className="panel-head">
        <div className="panel-title">
          <h2 className="unit-name" data-testid="panel-unit-name">
            {device.name}
          </h2>
          <div className="panel-badges">
            <OnlineState online={device.online} lastSeen={device.lastSeen} now={now} />
            <PairingBadge pairing={device.pairing} />
          </div>
        </div>
        <button type="button" className="btn btn-ghost" onClick={onClose} aria-label="Close unit panel">
          Close
        </button>
      </header>

      <dl className="panel-facts">
        <div>
          <dt>Model</dt>
          <dd>{device.model}</dd>
        </div>
        <div>
          <dt>Firmware</dt>
          <dd className="mono" data-testid="panel-firmware">
            {device.firmware}
            {device.commit && <span className="muted"> · {device.commit.slice(0, 7)}</span>}
          </dd>
        </div>
        <div>
          <dt>Uptime</dt>
          <dd>{status ? uptime(status.uptimeS) : '—'}</dd>
        </div>
        <div>
          <dt>Unit ID</dt>
          <dd>
            <CopyId id={device.id} full />
          </dd>
        </div>
      </dl>

      <TrustSection device={device} />
      <LicenseSection device={device} now={now} />
      {device.pairing.state === 'paired' && device.pairing.role !== 'support' && device.online && <WifiSection device={device} />}

      {trusted && (
      <FeatureGate unitId={device.id} feature="live-timing" what="Live position and timing">
      <div className={`live ${stale || !fix ? 'is-stale' : ''}`}>
        <div className="speed-block">
          <div className="speed-value" data-testid="live-speed">
            {kmh(speed)}
          </div>
          <div className="speed-unit">km/h</div>
          <div className={`fix-badge fix-${fixType}`} data-testid="fix-type">
            {fixLabel[fixType]}
          </div>
          <div className="live-note" data-testid="live-note">
            {fix ? (stale ? `No fix for ${Math.round((now - (lastFixAt ?? now)) / 1000)} s` : `Live · ${gnss?.fixRateHz ? `${gnss.fixRateHz.toFixed(0)} Hz` : 'streaming'}`) : device.online ? 'Waiting for live data…' : 'Unit offline'}
          </div>
        </div>
        <dl className="gnss-grid">
          <div>
            <dt>Satellites</dt>
            <dd data-testid="live-sats">{sats ?? '—'}</dd>
          </div>
          <div>
            <dt>HDOP</dt>
            <dd data-testid="live-hdop">{hdop === null ? '—' : hdop.toFixed(1)}</dd>
          </div>
          <div>
            <dt>Time to first fix</dt>
            <dd>{seconds(gnss?.timeToFirstFixS)}</dd>
          </div>
          <div>
            <dt>Altitude</dt>
            <dd>{pos?.altM === null || pos?.altM === undefined ? '—' : `${pos.altM.toFixed(0)} m`}</dd>
          </div>
          <div className="span-2">
            <dt>Position</dt>
            <dd className="mono" data-testid="live-position">
              {pos ? `${coord(pos.lat, 'N', 'S')}  ${coord(pos.lon, 'E', 'W')}` : '—'}
            </dd>
          </div>
        </dl>
      </div>

      <LiveTiming unitId={device.id} now={now} />

      <div className="charts">
        <SpeedChart speeds={live?.fixes.map((f) => f.speedMps) ?? []} times={live?.receivedAt ?? []} now={now} />
        <TrackTrace fixes={live?.fixes ?? []} />
      </div>
      </FeatureGate>
      )}

      {statusErr && (
        <p className="inline-error" role="status">
          {statusErr.sentence}
          {statusErr.detail && <span className="muted"> ({statusErr.detail})</span>}
        </p>
      )}

      {trusted && device.online && (
        <SupportSection unitId={device.id} />
      )}

      <section className="links-section">
        <h3>Connections</h3>
        <ul className="link-list">
          {device.links.map((l) => (
            <li key={`${l.kind}:${l.target}`} className={l.online ? 'is-online' : 'is-offline'}>
              <span className={`link-kind badge-${l.kind}`}>
                <span className="badge-dot" aria-hidden="true" />
                {LINK_LABEL[l.kind]}
              </span>
              <span className="mono">{l.target}</span>
              <span className={l.online ? 'ok' : 'muted'}>{l.online ? 'reachable' : `last seen ${ago(l.lastSeen, now)}`}</span>
            </li>
          ))}
        </ul>
      </section>

      <footer className="panel-foot">
        <button type="button" className={`btn ${confirmForget ? 'btn-danger' : 'btn-ghost'}`} onClick={() => void onForget()} onBlur={() => setConfirmForget(false)}>
          {confirmForget ? 'Click again to forget this unit' : 'Forget unit'}
        </button>
        {forgetError && <span className="inline-error">{forgetError}</span>}
      </footer>
    </section>
  );
}
