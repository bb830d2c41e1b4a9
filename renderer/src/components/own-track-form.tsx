import { useSessions, type OwnTrackForm as FormState } from '../store/sessions-store.js';

/** The name field's limit, as the `tracks:add` contract has it. */
const NAME_MAX = 80;

/**
 * "Add as my track": draws a track from the session's own path (for a venue the catalog does not
 * know), its start/finish square to the path at the longest straight or where the slider says;
 * saving re-times the session on it. Its state is the sessions store's `ownTrackForm`.
 */
export function OwnTrackForm({ form }: { form: FormState }) {
  const { editOwnTrackForm, closeOwnTrackForm, saveOwnTrack } = useSessions();
  const { busy } = form;
  return (
    <form
      className="own-track-form"
      data-testid="own-track-form"
      onSubmit={(e) => {
        e.preventDefault();
        void saveOwnTrack();
      }}
    >
      <label>
        Name
        <input className="text-input" value={form.name} maxLength={NAME_MAX} required disabled={busy} onChange={(e) => editOwnTrackForm({ name: e.target.value })} data-testid="own-track-name" />
      </label>
      <fieldset disabled={busy}>
        <legend>Start/finish line</legend>
        <label>
          <input type="radio" name="own-track-at" checked={form.at === null} onChange={() => editOwnTrackForm({ at: null })} data-testid="own-track-at-straight" />
          at the longest straight
        </label>
        <label>
          <input type="radio" name="own-track-at" checked={form.at !== null} onChange={() => editOwnTrackForm({ at: 0.5 })} data-testid="own-track-at-chosen" />
          at {form.at === null ? 'a point I choose' : `${Math.round(form.at * 100)}% of the lap`}
        </label>
        {form.at !== null && (
          <input type="range" min={0} max={0.99} step={0.01} value={form.at} onChange={(e) => editOwnTrackForm({ at: Number(e.target.value) })} aria-label="Start/finish along the lap" data-testid="own-track-at" />
        )}
      </fieldset>
      <div className="own-track-actions">
        <button type="submit" className="btn btn-primary" disabled={busy || form.name.trim() === ''} data-testid="own-track-save">
          {busy ? 'Drawing and re-timing…' : 'Save'}
        </button>
        <button type="button" className="btn btn-ghost" onClick={closeOwnTrackForm} disabled={busy}>
          Cancel
        </button>
      </div>
      {form.error && (
        <p className="error-line" role="alert" data-testid="own-track-error">
          {form.error.message}
        </p>
      )}
    </form>
  );
}
