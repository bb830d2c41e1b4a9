import { useState, type MouseEvent } from 'react';
import { shortId } from '../format.js';

/** A unit id shown short; the full id on hover, and a click copies it. */
export function CopyId({ id, full = false }: { id: string; full?: boolean }) {
  const [copied, setCopied] = useState(false);
  const copy = (e: MouseEvent) => {
    e.stopPropagation();
    void navigator.clipboard?.writeText(id).then(
      () => {
        setCopied(true);
        setTimeout(() => setCopied(false), 1200);
      },
      () => undefined,
    );
  };
  return (
    <button type="button" className="copy-id mono" title={`${id} — click to copy`} onClick={copy} data-testid="unit-id">
      {full ? id : shortId(id)}
      <span className="copy-hint">{copied ? 'Copied' : 'Copy'}</span>
    </button>
  );
}
