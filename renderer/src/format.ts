import type { FixType } from '@pitwall/protocol';

export const shortId = (id: string): string => id.slice(0, 8);

export function kmh(speedMps: number | null | undefined): string {
  return speedMps === null || speedMps === undefined ? '—' : (speedMps * 3.6).toFixed(0);
}

export function ago(epochMs: number, now: number): string {
  const s = Math.max(0, Math.round((now - epochMs) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return new Date(epochMs).toLocaleDateString();
}

export const fixLabel: Record<FixType, string> = { none: 'No fix', '2d': '2D fix', '3d': '3D fix' };

export function coord(value: number, pos: string, neg: string): string {
  return `${Math.abs(value).toFixed(6)}° ${value >= 0 ? pos : neg}`;
}

export function seconds(s: number | null | undefined): string {
  if (s === null || s === undefined) return '—';
  return s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}

export function uptime(s: number): string {
  if (s < 60) return `${Math.floor(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A lap or sector time: 1:23.456 (or 23.456 under a minute); `decimals` 1 for a running clock. */
export function lapTime(ms: number | null | undefined, decimals = 3): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const unit = 10 ** (3 - decimals);
  const total = Math.floor(ms / unit) * unit; // a running clock never shows time not yet driven
  const m = Math.floor(total / 60_000);
  const s = ((total % 60_000) / 1000).toFixed(decimals);
  return m > 0 ? `${m}:${s.padStart(decimals + 3, '0')}` : s;
}

/** A delta in seconds with its sign: −0.42 is faster, +0.42 slower. */
export function deltaText(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.abs(ms / 1000).toFixed(2);
  if (s === '0.00') return '0.00';
  return `${ms < 0 ? '−' : '+'}${s}`;
}
