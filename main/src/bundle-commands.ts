import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { BundleError, type VendorKeyList } from '@pitwall/protocol';
import { buildBundle, BundleSource, loadPublicKey, pinnedKeySet, readBundleHeadUnverified, signBundle, signKeyList, verifyBundleStream } from '@pitwall/protocol/node';
import { keygenCommand, readPublicKeyPem, readSigningKey } from './bundle-keys.js';
import { need, runVendorCommand, strings, UsageError, VENDOR_KEY_OPTIONS, type VendorIo } from './vendor-command.js';

export const BUNDLE_USAGE = `  pitwall bundle keygen --out FILE
      Make an Ed25519 vendor signing key: FILE (private, mode 0600) and FILE.pub.pem; prints the key id only.
  pitwall bundle build --runtime DIR --version X.Y.Z --model M [--model M ...] --min-version X.Y.Z
                       [--entry FILE [--executable]] [--allow-downgrade-unit ID ...] [--allow-downgrade-model M ...] --out FILE
      Make an unsigned update bundle of a runtime build (every file under DIR; entry default cli.js).
      --executable: the entry is a single executable (the folder npm run sea makes, --entry pitwall-device),
      which the unit's launcher starts as it is instead of with node.
  pitwall bundle sign BUNDLE --key FILE --out FILE [--key-list FILE]
      Sign a bundle's manifest with a vendor key; --key-list carries a signed key list along.
  pitwall bundle keylist --sequence N --public KEY.pub.pem [--public ...] [--revoke KEYID ...] --key FILE --out FILE
      Sign a vendor key list (rotation and revocation) with a key the units trust now.
  pitwall bundle inspect BUNDLE [--json]
      Show a bundle's version, models, signer key id (not verified), files and sizes.
  pitwall bundle verify BUNDLE --public KEY.pub.pem [--public ...]
      Verify a bundle as a unit does (signature, key list, every file's sha256) against these keys.`;

const DAY_MS = 24 * 3600 * 1000;

const parseBundleArgs = (args: string[]) =>
  parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...VENDOR_KEY_OPTIONS,
      runtime: { type: 'string' },
      entry: { type: 'string' },
      executable: { type: 'boolean', default: false },
      version: { type: 'string' },
      model: { type: 'string', multiple: true },
      'min-version': { type: 'string' },
      'allow-downgrade-unit': { type: 'string', multiple: true },
      'allow-downgrade-model': { type: 'string', multiple: true },
      'key-list': { type: 'string' },
      sequence: { type: 'string' },
      revoke: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
    },
  });

/** `pitwall bundle …`. Exit 0 ok, 1 refused or failed, 2 usage. */
export const runBundleCommand = (argv: string[], io: VendorIo): Promise<number> =>
  runVendorCommand(argv, io, { usage: BUNDLE_USAGE, parse: parseBundleArgs, run: (sub, parsed) => bundleCommand(sub, parsed, io), neverOverwritten: 'keys and key lists', refusal: BundleError });

async function bundleCommand(sub: string | undefined, { values, positionals }: ReturnType<typeof parseBundleArgs>, io: VendorIo): Promise<number> {
  switch (sub) {
    case 'keygen':
      return await keygenCommand(need(values, 'out'), io.out, 'pin it on the units');
    case 'build': {
      const unitIds = strings(values['allow-downgrade-unit']);
      const downModels = strings(values['allow-downgrade-model']);
      const manifest = await buildBundle(
        {
          runtimeDir: need(values, 'runtime'),
          runtimeVersion: need(values, 'version'),
          ...(typeof values.entry === 'string' ? { entry: values.entry } : {}),
          ...(values.executable ? { entryKind: 'executable' as const } : {}),
          compatibleModels: strings(values.model),
          minReplaceVersion: need(values, 'min-version'),
          ...(unitIds.length || downModels.length ? { downgrade: { unitIds, models: downModels } } : {}),
        },
        need(values, 'out'),
      );
      const entry = manifest.files.find((f) => f.path === manifest.entry);
      io.out(`built ${values.out}: runtime ${manifest.runtimeVersion}, ${manifest.files.length} files, ${manifest.payloadSize} bytes (unsigned)`);
      if (manifest.entryKind === 'executable' && entry) io.out(`executable entry ${entry.path}: ${entry.size} bytes, sha256 ${entry.sha256}`);
      return 0;
    }
    case 'sign': {
      const input = positionals[0];
      if (!input) throw new UsageError('which bundle? pitwall bundle sign BUNDLE --key FILE --out FILE');
      const keyList = typeof values['key-list'] === 'string' ? await readFile(values['key-list'], 'utf8') : undefined;
      const r = await signBundle(input, need(values, 'out'), await readSigningKey(need(values, 'key')), keyList);
      io.out(`signed ${values.out}: runtime ${r.manifest.runtimeVersion}, key id ${r.keyId}`);
      return 0;
    }
    case 'keylist': {
      const sequence = Number(need(values, 'sequence'));
      if (!Number.isSafeInteger(sequence) || sequence < 1) throw new UsageError('--sequence must be a whole number from 1');
      const pems = await Promise.all(strings(values.public).map(readPublicKeyPem));
      const keyList: VendorKeyList = { format: 1, sequence, keys: pems.map((pem) => ({ keyId: loadPublicKey(pem).keyId, publicKey: pem })), revokedKeyIds: strings(values.revoke) };
      await writeFile(need(values, 'out'), await signKeyList(keyList, await readSigningKey(need(values, 'key'))), { flag: 'wx', mode: 0o644 });
      io.out(`key list ${sequence} written to ${values.out}: ${keyList.keys.length} keys, ${keyList.revokedKeyIds.length} revoked`);
      return 0;
    }
    case 'inspect':
      return await inspect(positionals[0], values.json === true, io);
    case 'verify':
      return await verify(positionals[0], strings(values.public), io);
    default:
      throw new UsageError(`unknown bundle command "${sub ?? ''}"`);
  }
}

const fileSource = (path: string) => new BundleSource(createReadStream(path, { highWaterMark: 1 << 20 }), { deadlineAt: Date.now() + DAY_MS, idleMs: 60_000 });

async function inspect(path: string | undefined, json: boolean, io: VendorIo): Promise<number> {
  if (!path) throw new UsageError('which bundle? pitwall bundle inspect BUNDLE');
  const src = fileSource(path);
  try {
    const { header, manifest, signerHint, keyList } = await readBundleHeadUnverified(src);
    const info = { signed: header.signed, signerKeyId: signerHint, carriesKeyList: keyList !== null, ...manifest, files: manifest.files.length };
    if (json) {
      io.out(JSON.stringify(info, null, 2));
      return 0;
    }
    io.out(`runtime version  ${manifest.runtimeVersion} (entry ${manifest.entry}${manifest.entryKind === 'executable' ? ', a single executable' : ''})`);
    io.out(`signer key id    ${header.signed ? `${signerHint ?? '(none)'} (not verified: use pitwall bundle verify)` : '(unsigned)'}`);
    io.out(`models           ${manifest.compatibleModels.join(', ')}`);
    io.out(`replaces from    ${manifest.minReplaceVersion}`);
    io.out(`built            ${manifest.buildTime}`);
    io.out(`files            ${manifest.files.length}, ${manifest.payloadSize} bytes`);
    if (manifest.downgrade) io.out(`downgrade for    units ${manifest.downgrade.unitIds.join(', ') || '-'}; models ${manifest.downgrade.models.join(', ') || '-'}`);
    if (keyList) io.out('carries          a signed vendor key list');
    return 0;
  } finally {
    src.close();
  }
}

async function verify(path: string | undefined, publicKeys: string[], io: VendorIo): Promise<number> {
  if (!path) throw new UsageError('which bundle? pitwall bundle verify BUNDLE --public KEY.pub.pem');
  if (publicKeys.length === 0) throw new UsageError('--public KEY.pub.pem is required (the keys to trust)');
  const trust = pinnedKeySet(await Promise.all(publicKeys.map(readPublicKeyPem)));
  const src = fileSource(path);
  try {
    const head = await verifyBundleStream(src, trust);
    io.out(`verified: runtime ${head.manifest.runtimeVersion} for ${head.manifest.compatibleModels.join(', ')}, signed by ${head.signerKeyId}, ${head.manifest.files.length} files intact`);
    return 0;
  } finally {
    src.close();
  }
}
