import type { CallError } from '@pitwall/protocol';
import { describeError } from '../error-messages.js';

export function LoadingState() {
  return (
    <div className="state-view" data-testid="loading-state" aria-busy="true">
      <div className="spinner" aria-hidden="true" />
      <p>Looking for units…</p>
    </div>
  );
}

export function EmptyState({ onAdd }: { onAdd(): void }) {
  return (
    <div className="state-view empty" data-testid="empty-state">
      <h2>No units found yet</h2>
      <p className="muted">Units show up here by themselves as soon as the companion can reach them.</p>
      <ul className="hints">
        <li>
          <strong>USB cable</strong>
          <span>Plug the unit into this laptop with a data-capable USB cable.</span>
        </li>
        <li>
          <strong>Same Wi-Fi</strong>
          <span>Join this laptop to the same network as the unit (or the unit’s own hotspot).</span>
        </li>
        <li>
          <strong>Add by address</strong>
          <span>If the network blocks discovery, type the address shown on the unit.</span>
        </li>
      </ul>
      <button type="button" className="btn btn-primary" onClick={onAdd}>
        Add by address
      </button>
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: CallError; onRetry(): void }) {
  const { sentence, detail } = describeError(error);
  return (
    <div className="state-view error" data-testid="error-state" role="alert">
      <h2>Could not load the units</h2>
      <p>{sentence}</p>
      {detail && <p className="muted">{detail}</p>}
      <button type="button" className="btn btn-primary" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
