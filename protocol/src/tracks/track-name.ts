import type { TrackDefinition } from './track-definition.js';

/**
 * The name a person reads for a layout: "Sonoma Raceway — Cup". Catalog layouts often repeat an
 * abbreviation of the venue first ("Sonoma Cup", "RA Club", "THill EST_BY"); that word is
 * dropped when it abbreviates the venue (its letters in order, starting a venue word), and
 * underscores become spaces. A layout the venue's name already holds gives the venue alone.
 */
export function trackDisplayName(t: Pick<TrackDefinition, 'venue' | 'layout'>): string {
  const venue = t.venue.trim();
  const spaced = (x: string) => ` ${x.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `;
  if (spaced(venue).includes(spaced(t.layout))) return venue;
  const words = t.layout.trim().replace(/_/g, ' ').split(/\s+/).filter(Boolean);
  if (words.length > 0 && abbreviates(words[0]!, venue)) words.shift();
  const layout = words.join(' ');
  return layout === '' ? venue : `${venue} — ${layout}`;
}

function abbreviates(word: string, venue: string): boolean {
  const letters = (x: string) => x.toLowerCase().normalize('NFD').replace(/[^\p{L}\s]/gu, '');
  const w = letters(word);
  if (w.length < 2 || w.length !== word.length) return false;
  const venueWords = letters(venue).split(/\s+/);
  if (!venueWords.some((v) => v[0] === w[0])) return false;
  let i = 0;
  for (const ch of venueWords.join('')) if (ch === w[i]) i++;
  return i >= w.length;
}
