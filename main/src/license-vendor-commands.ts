import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { licenceScopeProblem, LICENSE_FEATURES, LICENSE_FORMAT, LICENSE_PAYLOAD_TYPE, LicenseError, REVOCATION_LIST_FORMAT, REVOCATION_LIST_PAYLOAD_TYPE, revocationList, type LicenseFeature, type LicensePayload, type LicenseScope, type RevocationList } from '@pitwall/protocol';
import { keyLookup, pinnedKeySet, readLicenseUnverified, signLicense, signRevocationList, verifyLicenseFile, verifyRevocationListFile } from '@pitwall/protocol/node';
import { keygenCommand, readPublicKeyPem, readSigningKey } from './bundle-keys.js';
import { need, runVendorCommand, strings, UsageError, VENDOR_KEY_OPTIONS, type VendorIo } from './vendor-command.js';

/** The vendor's side of licensing: keys, licence files and revocation lists, all made offline. */
export const LICENSE_VENDOR_COMMANDS: ReadonlySet<string> = new Set(['keygen', 'issue', 'inspect', 'verify', 'revoke-list']);

export const LICENSE_VENDOR_USAGE = `  pitwall license keygen --out FILE
      Make an Ed25519 vendor key (as pitwall bundle keygen): FILE (mode 0600) and FILE.pub.pem; prints the key id only.
      Units trust it once it is pinned (update.keysDir) or carried by a signed key list.
  pitwall license issue --key FILE --out FILE --id LICENCE-ID (--unit UNIT-ID | --model M [--fleet F])
                        [--feature F ...] --expires YYYY-MM-DD [--starts YYYY-MM-DD] [--grace-days N] [--ttl-days N]
      Sign a licence file (features: ${LICENSE_FEATURES.join(', ')}; default starts today, 14 grace days,
      a file TTL of 30 days: the unit must see a newer file of the licence before it).
  pitwall license inspect FILE [--json]
      Show what a licence file or revocation list says and which key it names (not verified).
  pitwall license verify FILE --public KEY.pub.pem [--public ...] [--unit UNIT-ID --model M]
      Verify a licence file or revocation list as a unit does; with --unit and --model, also its binding.
  pitwall license revoke-list --number N [--from PREVIOUS] [--revoke LICENCE-ID[=REASON] ...] --key FILE --out FILE
      Sign revocation list N (complete, not a delta: --from carries a previous list's entries over).`;

const DAY_MS = 24 * 3600 * 1000;
function wholeNumber(values: Record<string, unknown>, name: string, fallback: number, min: number): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number from ${min}`);
  return n;
}

/** A date (midnight UTC) or a full ISO time, as the licence's ISO time. */
function isoDate(text: string, flag: string): string {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (!Number.isFinite(ms)) throw new UsageError(`--${flag} must be a date (YYYY-MM-DD) or an ISO time, got ${JSON.stringify(text.slice(0, 40))}`);
  return new Date(ms).toISOString();
}

const parseLicenseArgs = (args: string[]) =>
  parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...VENDOR_KEY_OPTIONS,
      id: { type: 'string' },
      unit: { type: 'string' },
      model: { type: 'string' },
      fleet: { type: 'string' },
      feature: { type: 'string', multiple: true },
      starts: { type: 'string' },
      expires: { type: 'string' },
      'grace-days': { type: 'string' },
      'ttl-days': { type: 'string' },
      number: { type: 'string' },
      from: { type: 'string' },
      revoke: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
    },
  });

/** `pitwall license keygen|issue|inspect|verify|revoke-list`. Exit 0 ok, 1 refused or failed, 2 usage. */
export const runLicenseVendorCommand = (argv: string[], io: VendorIo): Promise<number> =>
  runVendorCommand(argv, io, { usage: LICENSE_VENDOR_USAGE, parse: parseLicenseArgs, run: (sub, parsed) => licenseCommand(sub, parsed, io), neverOverwritten: 'keys, licences and lists', refusal: LicenseError });

async function licenseCommand(sub: string | undefined, { values, positionals }: ReturnType<typeof parseLicenseArgs>, io: VendorIo): Promise<number> {
  switch (sub) {
    case 'keygen':
      return await keygenCommand(need(values, 'out'), io.out, 'pin it on the units, or carry it to them in a signed key list');
    case 'issue':
      return await issue(values, io);
    case 'revoke-list':
      return await revokeList(values, io);
    case 'inspect':
      return await inspect(positionals[0], values.json === true, io);
    case 'verify':
      return await verify(positionals[0], values, io);
    default:
      throw new UsageError(`unknown licence command "${sub ?? ''}"`);
  }
}

async function issue(values: Record<string, unknown>, io: VendorIo): Promise<number> {
  const key = await readSigningKey(need(values, 'key'));
  const unit = typeof values.unit === 'string' ? values.unit : null;
  const model = typeof values.model === 'string' ? values.model : null;
  if ((unit === null) === (model === null)) throw new UsageError('bind the licence to one unit (--unit ID) or to a model (--model M [--fleet F])');
  const scope: LicenseScope = unit !== null ? { unitId: unit } : { model: model!, ...(typeof values.fleet === 'string' ? { fleet: values.fleet } : {}) };
  const features = strings(values.feature);
  const unknown = features.filter((f) => !(LICENSE_FEATURES as readonly string[]).includes(f));
  if (unknown.length) throw new UsageError(`unknown feature ${unknown.join(', ')} (known: ${LICENSE_FEATURES.join(', ')})`);
  const now = new Date();
  const payload: LicensePayload = {
    format: LICENSE_FORMAT,
    licenseId: need(values, 'id'),
    scope,
    features: features as LicenseFeature[],
    issued: now.toISOString(),
    starts: typeof values.starts === 'string' ? isoDate(values.starts, 'starts') : new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS).toISOString(),
    expires: isoDate(need(values, 'expires'), 'expires'),
    graceDays: wholeNumber(values, 'grace-days', 14, 0),
    ttlDays: wholeNumber(values, 'ttl-days', 30, 1),
    keyId: key.keyId,
  };
  if (Date.parse(payload.expires) <= Date.parse(payload.starts)) throw new UsageError('--expires must be after --starts');
  const text = await signLicense(payload, key);
  await writeFile(need(values, 'out'), text, { flag: 'wx', mode: 0o644 });
  io.out(`licence ${payload.licenseId} written to ${String(values.out)}: ${unit !== null ? `unit ${unit}` : `model ${model}`}, features ${features.join(', ') || 'none'}, ${payload.starts.slice(0, 10)} to ${payload.expires.slice(0, 10)}, key id ${key.keyId}`);
  return 0;
}

/** A previous list's entries, for --from (the vendor's own file; its number must be below the new one). */
async function previousList(path: string): Promise<RevocationList> {
  const text = await readFile(path, 'utf8');
  const { payloadType } = readLicenseUnverified(text);
  if (payloadType !== REVOCATION_LIST_PAYLOAD_TYPE) throw new UsageError(`${path} is not a revocation list`);
  try {
    const payload = (JSON.parse(text) as { dsseEnvelope: { payload: string } }).dsseEnvelope.payload;
    return revocationList.parse(JSON.parse(Buffer.from(payload, 'base64').toString('utf8')));
  } catch (err) {
    throw new Error(`${path} is not a readable revocation list: ${(err as Error).message.slice(0, 160)}`);
  }
}

async function revokeList(values: Record<string, unknown>, io: VendorIo): Promise<number> {
  const key = await readSigningKey(need(values, 'key'));
  const number = wholeNumber(values, 'number', 0, 1);
  if (number === 0) throw new UsageError('--number is required (higher than the list the units hold)');
  const revoked = new Map<string, string>();
  if (typeof values.from === 'string') {
    const prev = await previousList(values.from);
    if (prev.number >= number) throw new UsageError(`--number ${number} must be higher than the previous list's ${prev.number}`);
    for (const r of prev.revoked) revoked.set(r.licenseId, r.reason);
  }
  for (const entry of strings(values.revoke)) {
    const at = entry.indexOf('=');
    revoked.set(at < 0 ? entry : entry.slice(0, at), at < 0 ? '' : entry.slice(at + 1));
  }
  const list: RevocationList = { format: REVOCATION_LIST_FORMAT, number, issued: new Date().toISOString(), revoked: [...revoked].map(([licenseId, reason]) => ({ licenseId, reason })), keyId: key.keyId };
  await writeFile(need(values, 'out'), await signRevocationList(list, key), { flag: 'wx', mode: 0o644 });
  io.out(`revocation list ${number} written to ${String(values.out)}: ${list.revoked.length} licences revoked, key id ${key.keyId}`);
  return 0;
}

async function inspect(path: string | undefined, json: boolean, io: VendorIo): Promise<number> {
  if (!path) throw new UsageError('which file? pitwall license inspect FILE');
  const text = await readFile(path, 'utf8');
  const claimed = readLicenseUnverified(text);
  if (claimed.payloadType === REVOCATION_LIST_PAYLOAD_TYPE) {
    const list = await previousList(path);
    if (json) io.out(JSON.stringify({ kind: 'revocation-list', signerKeyId: claimed.signerHint, ...list }, null, 2));
    else io.out(`revocation list ${list.number}, issued ${list.issued}, ${list.revoked.length} licences revoked, signer ${claimed.signerHint ?? '(none)'} (not verified: use pitwall license verify)`);
    return 0;
  }
  if (claimed.payloadType !== LICENSE_PAYLOAD_TYPE || !claimed.payload) {
    io.err(`${path} is not a licence file or revocation list pitwall can read`);
    return 1;
  }
  const p = claimed.payload;
  if (json) {
    io.out(JSON.stringify({ kind: 'licence', signerKeyId: claimed.signerHint, ...p }, null, 2));
    return 0;
  }
  io.out(`licence id       ${p.licenseId}`);
  io.out(`bound to         ${'unitId' in p.scope ? `unit ${p.scope.unitId}` : `model ${p.scope.model}${p.scope.fleet ? `, fleet ${p.scope.fleet}` : ''}`}`);
  io.out(`features         ${p.features.join(', ') || '(none)'}`);
  io.out(`in force         ${p.starts} to ${p.expires}, then ${p.graceDays} grace days`);
  io.out(`issued           ${p.issued} (a newer file is needed within ${p.ttlDays} days)`);
  io.out(`signer key id    ${claimed.signerHint ?? '(none)'} (not verified: use pitwall license verify)`);
  return 0;
}

async function verify(path: string | undefined, values: Record<string, unknown>, io: VendorIo): Promise<number> {
  if (!path) throw new UsageError('which file? pitwall license verify FILE --public KEY.pub.pem');
  const publics = strings(values.public);
  if (publics.length === 0) throw new UsageError('--public KEY.pub.pem is required (the keys to trust)');
  const lookup = keyLookup(pinnedKeySet(await Promise.all(publics.map(readPublicKeyPem))));
  const text = await readFile(path, 'utf8');
  if (readLicenseUnverified(text).payloadType === REVOCATION_LIST_PAYLOAD_TYPE) {
    const { list, keyId } = await verifyRevocationListFile(text, lookup);
    io.out(`verified: revocation list ${list.number}, ${list.revoked.length} licences revoked, signed by ${keyId}`);
    return 0;
  }
  const { payload, keyId } = await verifyLicenseFile(text, lookup);
  if (typeof values.unit === 'string' || typeof values.model === 'string') {
    const problem = licenceScopeProblem(payload, { unitId: String(values.unit ?? ''), model: String(values.model ?? '') });
    if (problem) throw new LicenseError('wrong-unit', problem);
  }
  io.out(`verified: licence ${payload.licenseId}, features ${payload.features.join(', ') || 'none'}, ${payload.starts.slice(0, 10)} to ${payload.expires.slice(0, 10)}, signed by ${keyId}`);
  return 0;
}
