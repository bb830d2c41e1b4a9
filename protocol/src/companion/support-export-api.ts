import { Type } from '@sinclair/typebox';
import { UnitId } from '../device-api/unit-id.js';

/**
 * Support staff browsing a unit's read-only export through the support relay (methods
 * `support:export-*`). The companion asks the unit for its support status first (support on,
 * tunnel up, the export's host key to pin), then runs OpenSSH sftp against the tunnel's listen
 * port as reachable from here. No result holds a key.
 */
export const SupportExportAccess = Type.Object(
  {
    /** Where the tunnel's listen port is reachable from this companion, HOST:PORT (on the relay itself: 127.0.0.1:LISTENPORT). */
    relay: Type.String({ minLength: 3, maxLength: 300, pattern: '^([A-Za-z0-9.:_-]+|\\[[0-9a-fA-F:]+\\]):[0-9]{1,5}$' }),
    /** Support staff's private key file on this computer (the unit's staffKeys hold its public half). */
    keyFile: Type.String({ minLength: 1, maxLength: 4096, pattern: '^[^\\u0000-\\u001f]+$' }),
    /** The unit's export account (its support.exportUser; default pitwall-support). */
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z_][a-z0-9_-]*$' })),
  },
  { additionalProperties: false },
);

/** A path inside the export: "" for its top, "logs", "logs/pitwall.log". The companion checks every segment again. */
const ExportPath = Type.String({ maxLength: 1024, pattern: '^[^\\u0000-\\u001f]*$' });

export const SupportExportEntry = Type.Object(
  { name: Type.String(), kind: Type.Union([Type.Literal('file'), Type.Literal('folder'), Type.Literal('other')]), bytes: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);

export const SupportExportListing = Type.Object(
  {
    path: Type.String(),
    entries: Type.Array(SupportExportEntry),
    /** Entries the export showed whose names were refused (unsafe or unparsable); never echoed. */
    refused: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

/**
 * Where a downloaded file or archive went. In the desktop app the user picks the place and
 * `savedTo` names it (both null when the user cancelled); in browser mode the companion holds it
 * for a one-time `downloadUrl` on its own origin, which the page hands to the browser.
 */
export const SupportExportSaved = Type.Object(
  {
    name: Type.String(),
    bytes: Type.Integer({ minimum: 0 }),
    files: Type.Integer({ minimum: 0 }),
    skipped: Type.Integer({ minimum: 0 }),
    savedTo: Type.Union([Type.String(), Type.Null()]),
    downloadUrl: Type.Union([Type.String({ pattern: '^/api/download/[A-Za-z0-9_-]{20,100}$' }), Type.Null()]),
  },
  { additionalProperties: false },
);

const ById = { id: UnitId, access: SupportExportAccess };

export const supportExportMethods = {
  'support:export-list': { params: Type.Object({ ...ById, path: ExportPath }, { additionalProperties: false }), result: SupportExportListing },
  /** One file of the export. */
  'support:export-get': { params: Type.Object({ ...ById, path: ExportPath }, { additionalProperties: false }), result: SupportExportSaved },
  /** A diagnostics archive (tar.gz) of the whole export. */
  'support:export-archive': { params: Type.Object(ById, { additionalProperties: false }), result: SupportExportSaved },
} as const;
