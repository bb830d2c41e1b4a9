import { haversineM, resolveTrackIds, signatureKeyOf, trackSignature, type OwnTrackDetail, type TrackDefinition, type TrackSignature } from '@pitwall/protocol';
import type { OwnTracks } from './own-tracks.js';

/** Catalog layouts this far from an own track's centroid are not compared with it. */
const NEAR_M = 10_000;
const catalogSignatures = new WeakMap<readonly TrackDefinition[], Map<string, TrackSignature | null>>();

/**
 * The own tracks as the tracks screen shows them: the signature id of each, the id it resolves
 * to among the catalog's layouts nearby and the other own tracks, whose name holds and what the
 * merges from other laptops changed.
 */
export function ownTrackDetails(own: OwnTracks, catalog: readonly TrackDefinition[]): OwnTrackDetail[] {
  const rows = own.withSignatures();
  const mine = rows.map((r) => ({ ...r, sig: trackSignature(r.track) }));
  const sigs = mine.flatMap((m) => (m.sig ? [m.sig] : []));
  const resolved = resolveTrackIds(sigs, nearbyCatalog(catalog, sigs));
  const { node, book } = own.book.load();
  return mine.map(({ track, signatureId, sig }) => ({
    id: track.id,
    name: book.tracks[track.id]?.name.value ?? track.layout,
    lengthM: track.lengthM,
    signatureId,
    resolvedId: sig ? (resolved.get(signatureKeyOf(sig)) ?? null) : null,
    nameBy: book.tracks[track.id]?.name.at.node ?? node,
    thisLaptop: node,
    changes: own.book.changes('track', track.id),
  }));
}

function nearbyCatalog(catalog: readonly TrackDefinition[], sigs: readonly TrackSignature[]): TrackSignature[] {
  let memo = catalogSignatures.get(catalog);
  if (!memo) catalogSignatures.set(catalog, (memo = new Map()));
  const out: TrackSignature[] = [];
  for (const t of catalog) {
    const near = sigs.some((s) => haversineM(s.centroid, t.startFinish.a) < NEAR_M);
    if (!near) continue;
    if (!memo.has(t.id)) memo.set(t.id, trackSignature(t));
    const s = memo.get(t.id);
    if (s) out.push(s);
  }
  return out;
}
