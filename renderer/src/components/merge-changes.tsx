import type { ReactNode } from 'react';
import type { MergeChange } from '@pitwall/protocol';

const FIELD: Record<MergeChange['field'], string> = {
  name: 'Name',
  sectors: 'Sector lines',
  geometry: 'Outline',
  deleted: 'Removed',
  created: 'Arrived',
  'member-added': 'Member added',
  'member-removed': 'Member removed',
};
const when = (ms: number | null) => (ms === null ? '' : new Date(ms).toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }));

/**
 * What a merge changed, one line a value: from what to what, whose edit and when. The Sessions
 * screen shows it per track (with a way back for a name); the Hub screen for a registry sync,
 * each line naming its track.
 */
export function MergeChanges(props: {
  title: string;
  changes: readonly MergeChange[];
  /** This laptop's id in the book, shown as "this laptop". */
  thisLaptop: string | null;
  /** The track or group a line is about (omitted when the list is about one track). */
  subject?: (c: MergeChange) => string;
  /** An action for a line (the Sessions screen's "use the old name again"). */
  action?: (c: MergeChange) => ReactNode;
}) {
  if (props.changes.length === 0) return null;
  return (
    <div className="merge-report" data-testid="merge-report">
      <h4>{props.title}</h4>
      <ul>
        {props.changes.map((c, i) => (
          <li key={i} data-testid="merge-change">
            {props.subject && <strong className="merge-subject">{props.subject(c)}</strong>}
            <span>
              {FIELD[c.field]}: {c.from === null ? '' : <s>{c.from}</s>} → <b>{c.to ?? '–'}</b>
            </span>
            <span className="dim">
              {c.by ? `from ${c.by === props.thisLaptop ? 'this laptop' : c.by}` : ''} {when(c.atMs)}
            </span>
            {props.action?.(c)}
          </li>
        ))}
      </ul>
    </div>
  );
}
