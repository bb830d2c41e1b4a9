import { useState } from 'react';
import type { GroupRole, HubRoster } from '@pitwall/protocol';
import { useHubRosters } from '../../store/hub-rosters-store.js';

const ROLES: GroupRole[] = ['coach', 'driver', 'analyst'];

/** When an edit was made: the time today, else the day too (edits can wait days for a network). */
const madeAt = (ms: number): string => {
  const d = new Date(ms);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === new Date().toDateString() ? time : `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })}, ${time}`;
};

/** One group's roster: members with roles, the not-pushed mark, edits (where the member may), what merges brought. */
export function HubRosterCard({ r, known }: { r: HubRoster; known: Map<string, string> }) {
  const { edit, discard, busy, error } = useHubRosters();
  const [adding, setAdding] = useState('');
  const [addRole, setAddRole] = useState<GroupRole>('driver');
  const [name, setName] = useState<string | null>(null);
  const idle = busy === null;
  const inGroup = new Set(r.members.map((m) => m.memberId));
  const addable = [...known].filter(([id]) => !inGroup.has(id));
  const label = r.name ?? `group ${r.groupId.slice(0, 8)}`;
  return (
    <li className={`hub-roster${r.pending ? ' is-pending' : ''}`} data-testid="hub-roster" data-group={r.groupId} data-pending={r.pending}>
      <div className="hub-unit-head">
        <strong data-testid="hub-roster-name">{label}</strong>
        {r.pending && (
          <span className="hub-unit-state tone-warn" data-testid="hub-roster-pending">
            {r.unpushed.length === 0 ? 'Edits here not pushed yet' : `${r.unpushed.length} edit${r.unpushed.length === 1 ? '' : 's'} here not pushed yet`}
          </span>
        )}
        {!r.editable && <span className="dim small">read only: the academy’s admin and the group’s coaches edit it</span>}
      </div>
      <ul className="hub-roster-members">
        {[...r.members].sort((a, b) => (a.name ?? `~${a.memberId}`).localeCompare(b.name ?? `~${b.memberId}`)).map((m) => (
          <li key={m.memberId} data-testid="hub-roster-member" data-member={m.memberId}>
            <span>{m.name ?? <span className="dim mono">{m.memberId.slice(0, 8)}… (name after the next sync)</span>}</span>
            {r.editable ? (
              <select className="text-input" value={m.role} disabled={!idle} aria-label={`Role of ${m.name ?? m.memberId}`} onChange={(e) => void edit(r.groupId, { kind: 'set-role', memberId: m.memberId, role: e.target.value as GroupRole })} data-testid="hub-roster-role">
                {ROLES.map((x) => (
                  <option key={x}>{x}</option>
                ))}
              </select>
            ) : (
              <span className="dim" data-testid="hub-roster-role">
                {m.role}
              </span>
            )}
            {r.editable && (
              <button type="button" className="btn btn-ghost btn-small" disabled={!idle} onClick={() => void edit(r.groupId, { kind: 'remove', memberId: m.memberId })} data-testid="hub-roster-remove">
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {r.unpushed.length > 0 && (
        <ol className="hub-roster-unpushed" data-testid="hub-roster-unpushed" aria-label="Edits made here, not pushed yet">
          {r.unpushed.map((u) => (
            <li key={u.id} className="small" data-testid="hub-roster-unpushed-edit">
              <span>{u.sentence}</span>
              <span className="dim">{madeAt(u.madeAt)}</span>
              <span className="hub-unit-state tone-warn">not pushed yet</span>
            </li>
          ))}
        </ol>
      )}
      {r.editable && (
        <div className="hub-actions">
          <select className="text-input" value={adding} disabled={!idle || addable.length === 0} onChange={(e) => setAdding(e.target.value)} aria-label="Member to add" data-testid="hub-roster-add-member">
            <option value="">{addable.length ? 'Add a member…' : 'No other member known here'}</option>
            {addable.map(([id, n]) => (
              <option key={id} value={id}>
                {n}
              </option>
            ))}
          </select>
          <select className="text-input" value={addRole} disabled={!idle} onChange={(e) => setAddRole(e.target.value as GroupRole)} aria-label="Role of the member to add" data-testid="hub-roster-add-role">
            {ROLES.map((x) => (
              <option key={x}>{x}</option>
            ))}
          </select>
          <button type="button" className="btn btn-ghost" disabled={!idle || adding === ''} onClick={() => void edit(r.groupId, { kind: 'add', memberId: adding, role: addRole }).then((ok) => ok && setAdding(''))} data-testid="hub-roster-add">
            Add
          </button>
          {name === null ? (
            <button type="button" className="btn btn-ghost" disabled={!idle} onClick={() => setName(r.name ?? '')} data-testid="hub-roster-rename">
              Rename
            </button>
          ) : (
            <>
              <input className="text-input" value={name} maxLength={80} onChange={(e) => setName(e.target.value)} aria-label="New name of the group" data-testid="hub-roster-new-name" />
              <button type="button" className="btn btn-ghost" disabled={!idle || name.trim() === ''} onClick={() => void edit(r.groupId, { kind: 'rename', name: name.trim() }).then((ok) => ok && setName(null))} data-testid="hub-roster-rename-save">
                Save name
              </button>
            </>
          )}
          {r.pending && (
            <button type="button" className="btn btn-ghost" disabled={!idle} onClick={() => void discard(r.groupId)} data-testid="hub-roster-discard" title="Drop the edits made here; the next sync brings the hub’s roster">
              Discard my edits
            </button>
          )}
        </div>
      )}
      {error?.groupId === r.groupId && (
        <p className="tone-bad small" role="alert" data-testid="hub-roster-error">
          {error.message}
        </p>
      )}
      {r.merged.length > 0 && (
        <details className="hub-roster-merged" open={r.merged.length <= 6}>
          <summary className="small">Merged from elsewhere ({r.merged.length})</summary>
          <ul>
            {r.merged.map((m, i) => (
              <li key={i} className="small" data-testid="hub-roster-merged">
                {m.sentence}
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}
