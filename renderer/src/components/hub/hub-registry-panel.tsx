import { useEffect, useState } from 'react';
import type { MergeChange, OwnTrackDetail } from '@pitwall/protocol';
import { call } from '../../api.js';
import { ago } from '../../format.js';
import { useHub } from '../../store/hub-store.js';
import { MergeChanges } from '../merge-changes.js';

/** The organisation's track registry: this laptop's tracks sent, the registry merged here, and what that merge changed. */
export function HubRegistryPanel({ now }: { now: number }) {
  const { status, run, busy } = useHub();
  const r = status?.registry;
  const [own, setOwn] = useState<OwnTrackDetail[]>([]);
  useEffect(() => {
    void call('tracks:own', {}).then((res) => res.ok && setOwn(res.value));
  }, [r?.lastSyncAt]);
  const subject = (c: MergeChange) => (c.entity === 'group' ? `Group ${c.key}` : (own.find((t) => t.id === c.key)?.name ?? c.key));
  return (
    <section className="hub-card" data-testid="hub-registry">
      <h3 className="section-title">Track registry</h3>
      <div className="hub-actions">
        <button type="button" className="btn btn-ghost" disabled={busy !== null} onClick={() => void run('hub:registry-sync', {})} data-testid="hub-registry-sync">
          {busy === 'hub:registry-sync' ? 'Syncing tracks…' : 'Sync tracks now'}
        </button>
        <span className="dim small" data-testid="hub-registry-last">
          {r?.lastSyncAt ? `last synced ${ago(r.lastSyncAt, now)} · ${r.pushed ?? 0} sent · ${r.pulled ?? 0} received` : 'never synced'}
        </span>
      </div>
      {r?.error && <p className="tone-bad small">{r.error}</p>}
      {r?.lastSyncAt && r.changes.length === 0 && <p className="hint small">The last sync changed nothing here: this laptop’s tracks match the registry.</p>}
      <MergeChanges title="Merged from the registry at the last sync" changes={r?.changes ?? []} thisLaptop={own[0]?.thisLaptop ?? null} subject={subject} />
    </section>
  );
}
