import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { UnitId } from '../device-api/unit-id.js';
import { RuntimeVersion } from './runtime-version.js';
import { EntryKind } from './entry-kind.js';

/** The manifest format this runtime reads (`format` in the manifest). */
export const MANIFEST_FORMAT = 1;
/** DSSE payload type of a signed manifest: a signature over a key list can never pass as one. */
export const MANIFEST_PAYLOAD_TYPE = 'application/vnd.pitwall.update-manifest+json';
/** The signed manifest section of a bundle (sigstore bundle JSON) is refused above this size. */
export const MANIFEST_MAX_B = 512 * 1024;
export const BUNDLE_FILES_MAX = 5000;
const FILE_SIZE_MAX = 2 ** 40;
const MODELS_MAX = 64;
const DOWNGRADE_UNITS_MAX = 1000;

const Model = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });
/** A relative path of segments made of safe characters; `.`/`..` segments are refused by manifestProblem. */
const FilePath = Type.String({ minLength: 1, maxLength: 240, pattern: '^[A-Za-z0-9._@+-]+(/[A-Za-z0-9._@+-]+)*$' });

export const BundleFile = Type.Object(
  {
    path: FilePath,
    size: Type.Integer({ minimum: 0, maximum: FILE_SIZE_MAX }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  },
  { additionalProperties: false },
);
export type BundleFile = Static<typeof BundleFile>;

/**
 * Signed permission to install this (older) runtime over a newer one, on the units named or on
 * every unit of the models named. Signed because it is part of the manifest.
 */
export const DowngradePermission = Type.Object(
  {
    unitIds: Type.Array(UnitId, { maxItems: DOWNGRADE_UNITS_MAX }),
    models: Type.Array(Model, { maxItems: MODELS_MAX }),
  },
  { additionalProperties: false },
);
export type DowngradePermission = Static<typeof DowngradePermission>;

/**
 * What a bundle holds and for whom. The payload is the files' bytes one after the other, in
 * this order, with nothing between them (see bundle-header.ts for the whole container).
 */
export const UpdateManifest = Type.Object(
  {
    format: Type.Literal(MANIFEST_FORMAT),
    runtimeVersion: RuntimeVersion,
    compatibleModels: Type.Array(Model, { minItems: 1, maxItems: MODELS_MAX }),
    /** The oldest installed runtime this bundle may replace. */
    minReplaceVersion: RuntimeVersion,
    buildTime: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$' }),
    /** The runtime's entry: one of the files, what the launcher starts. */
    entry: FilePath,
    /**
     * How the launcher starts the entry (entry-kind.ts); absent means `node`. A runtime that
     * predates this field refuses a manifest carrying it, rather than run a binary with node.
     */
    entryKind: Type.Optional(EntryKind),
    files: Type.Array(BundleFile, { minItems: 1, maxItems: BUNDLE_FILES_MAX }),
    /** The sum of the files' sizes: the payload section's length. */
    payloadSize: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    downgrade: Type.Optional(DowngradePermission),
  },
  { additionalProperties: false },
);
export type UpdateManifest = Static<typeof UpdateManifest>;
export const updateManifest = validator('UpdateManifest', UpdateManifest);

/** What the schema cannot say: no `.`/`..` segments, no path twice or inside a file, sizes that add up. */
export function manifestProblem(m: UpdateManifest): string | null {
  const seen = new Set<string>();
  let total = 0;
  for (const f of m.files) {
    if (f.path.split('/').some((s) => s === '.' || s === '..')) return `file path "${f.path}" has a . or .. segment`;
    if (seen.has(f.path)) return `file path "${f.path}" appears twice`;
    seen.add(f.path);
    total += f.size;
  }
  for (const p of seen) {
    const segs = p.split('/');
    for (let i = 1; i < segs.length; i++) {
      const dir = segs.slice(0, i).join('/');
      if (seen.has(dir)) return `file path "${p}" lies inside the file "${dir}"`;
    }
  }
  if (!seen.has(m.entry)) return `the entry "${m.entry}" is not one of the files`;
  if (total !== m.payloadSize) return `payloadSize ${m.payloadSize} is not the sum of the file sizes (${total})`;
  return null;
}
