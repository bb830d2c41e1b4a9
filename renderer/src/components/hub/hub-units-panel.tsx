import { useEffect, useState } from 'react';
import { ClaimCode, type HubUnitRegistration, type HubUnitState } from '@pitwall/protocol';
import { useHubUnits } from '../../store/hub-units-store.js';

const CLAIM_CODE = new RegExp(ClaimCode.pattern!);

const STATE: Record<HubUnitState, { label: string; tone: string }> = {
  registered: { label: 'Registered', tone: 'ok' },
  'record-waiting': { label: 'Registered · record not at the unit yet', tone: 'warn' },
  'waiting-forward': { label: 'Waiting to be forwarded', tone: 'warn' },
  'not-registered': { label: 'Not registered', tone: 'dim' },
};

/** Upper case, and the dashes put in as the dealer wrote it (XXXX-XXXX-XXXX-XXXX). */
const tidy = (raw: string) =>
  raw
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '')
    .slice(0, 16)
    .replace(/(.{4})(?=.)/g, '$1-');

function stateLine(u: HubUnitRegistration): string {
  if (u.state === 'registered' || u.state === 'record-waiting') {
    const when = u.registeredAt ? ` · registered ${u.registeredAt.slice(0, 16).replace('T', ' ')} UTC` : '';
    return `${u.owner ? `owner ${u.owner}` : 'no owner organisation yet'}${when}`;
  }
  if (u.state === 'waiting-forward') return 'signed by the unit; goes to the hub when it is reachable';
  if (!u.paired) return 'pair it with this computer first (as its owner or dealer)';
  if (!u.online) return 'offline: the unit signs its own request, so connect it first';
  return '';
}

function UnitRow({ u }: { u: HubUnitRegistration }) {
  const { register, busy, done } = useHubUnits();
  const [code, setCode] = useState('');
  const codeBad = code !== '' && !CLAIM_CODE.test(code);
  const canAct = u.paired && u.online && (u.state === 'not-registered' || u.state === 'record-waiting');
  const mine = busy?.unitId === u.unitId;
  const s = STATE[u.state];
  return (
    <li className={u.refusal ? 'has-error' : ''} data-testid="hub-unit" data-unit={u.unitId} data-state={u.state}>
      <div className="hub-unit-head">
        <strong>{u.name}</strong>
        <span className={`hub-unit-state tone-${s.tone}`} data-testid="hub-unit-state">
          {s.label}
        </span>
      </div>
      <span className="dim small" data-testid="hub-unit-line">
        {stateLine(u)}
      </span>
      {canAct && u.state === 'not-registered' && (
        <div className="hub-unit-register">
          <label>
            <span>
              Claim code <span className="dim">(optional, from the dealer: it puts the unit in an academy)</span>
            </span>
            <input
              className={`text-input mono${codeBad ? ' input-bad' : ''}`}
              value={code}
              onChange={(e) => setCode(tidy(e.target.value))}
              placeholder="XXXX-XXXX-XXXX-XXXX"
              spellCheck={false}
              aria-invalid={codeBad}
              data-testid="hub-unit-claim-code"
            />
          </label>
          <button type="button" className="btn btn-primary" disabled={busy !== null || codeBad} onClick={() => void register(u.unitId, code || undefined).then((ok) => ok && setCode(''))} data-testid="hub-unit-register">
            {mine ? 'Registering…' : 'Register'}
          </button>
        </div>
      )}
      {codeBad && (
        <span className="tone-bad small" data-testid="hub-unit-claim-code-problem">
          A claim code is four groups of four letters and digits (no 0, O, 1 or I), as the dealer gave it.
        </span>
      )}
      {canAct && u.state === 'record-waiting' && (
        <div className="hub-actions">
          <button type="button" className="btn btn-primary" disabled={busy !== null} onClick={() => void register(u.unitId)} data-testid="hub-unit-register">
            {mine ? 'Bringing…' : 'Bring the record to the unit'}
          </button>
        </div>
      )}
      {u.refusal && (
        <span className="tone-bad small" role="alert" data-testid="hub-unit-refusal">
          {u.refusal}
        </span>
      )}
      {done?.unitId === u.unitId && !u.refusal && (
        <span className={`${done.queued ? 'tone-warn' : 'tone-ok'} small`} data-testid="hub-unit-done">
          {done.sentence}
        </span>
      )}
    </li>
  );
}

/** This computer's units and their registration with the connected hub: live when the hub answers, else store and forward. */
export function HubUnitsPanel({ hubKey }: { hubKey: string }) {
  const { status, load, busy, error, fetchChallenges, forward } = useHubUnits();
  const units = status?.units ?? [];
  const [count, setCount] = useState(0);
  useEffect(() => void load(), [load, hubKey]);
  const wanted = count || Math.max(1, units.filter((u) => u.state === 'not-registered').length);
  const waiting = units.filter((u) => u.state === 'waiting-forward').length;
  const held = status?.challengesHeld ?? 0;
  return (
    <section className="hub-card" data-testid="hub-units">
      <h3 className="section-title">Units on this hub</h3>
      {units.length === 0 ? (
        <p className="hint">No unit is known to this computer yet: pair units in the Devices screen, then register them here.</p>
      ) : (
        <ul className="hub-unit-list">
          {units.map((u) => (
            <UnitRow key={u.unitId} u={u} />
          ))}
        </ul>
      )}
      <div className="hub-forward">
        <p className="small" data-testid="hub-challenges-held">
          {held === 0
            ? 'No forward challenge is held: without them, units can be registered only while the hub is reachable.'
            : `${held} forward challenge${held === 1 ? '' : 's'} held: ${held === 1 ? 'one unit' : `${held} units`} can be registered at the track without the hub (each unit signs; the request goes when the hub is reachable).`}
        </p>
        <div className="hub-actions">
          <label className="hub-count-label">
            Units to register at the track
            <input
              className="text-input hub-count"
              type="number"
              min={1}
              max={1000}
              value={wanted}
              onChange={(e) => setCount(Math.min(1000, Math.max(1, Number(e.target.value) || 1)))}
              data-testid="hub-challenge-count"
            />
          </label>
          <button type="button" className="btn btn-ghost" disabled={busy !== null} onClick={() => void fetchChallenges(wanted)} data-testid="hub-fetch-challenges">
            {busy?.method === 'hub:fetch-challenges' ? 'Fetching…' : 'Fetch challenges for the track day'}
          </button>
          {waiting > 0 && (
            <button type="button" className="btn btn-primary" disabled={busy !== null} onClick={() => void forward()} data-testid="hub-forward">
              {busy?.method === 'hub:forward-registrations' ? 'Sending…' : `Send ${waiting} waiting request${waiting === 1 ? '' : 's'}`}
            </button>
          )}
        </div>
        {error && (
          <p className="tone-bad small" role="alert" data-testid="hub-units-error">
            {error.message}
          </p>
        )}
      </div>
    </section>
  );
}
