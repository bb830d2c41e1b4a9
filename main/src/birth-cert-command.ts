import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { birthCertificate, UnitModel, UnitPublicKey } from '@pitwall/protocol';
import { birthCertificateProblem, loadPublicKey, signBirthCertificate } from '@pitwall/protocol/node';
import { readPublicKeyPem, readSigningKey } from './bundle-keys.js';
import { need, runVendorCommand, UsageError, VENDOR_KEY_OPTIONS, type VendorIo } from './vendor-command.js';

export const BIRTH_CERT_USAGE = `  pitwall birth-cert issue --key FILE --unit UNIT-ID --public-key BASE64 --model M --out FILE
      At manufacture: sign that unit UNIT-ID of model M was born with identity key BASE64 (what
      pitwall-device identity show prints) with a vendor key (pitwall license keygen). The factory
      step puts FILE on the unit (pitwall-device identity birth-cert); a hub started with
      --vendor-keys registers a unit it has not seen only with one.
  pitwall birth-cert verify FILE --public KEY.pub.pem [--public ...]
      Check a birth certificate as a hub does: its signer, signature and fields.`;

const parseBirthCertArgs = (args: string[]) =>
  parseArgs({ args, allowPositionals: true, options: { ...VENDOR_KEY_OPTIONS, unit: { type: 'string' }, 'public-key': { type: 'string' }, model: { type: 'string' } } });

/** `pitwall birth-cert issue|verify` (the vendor's, offline). Exit 0 ok, 1 refused or failed, 2 usage. */
export const runBirthCertCommand = (argv: string[], io: VendorIo): Promise<number> =>
  runVendorCommand(argv, io, { usage: BIRTH_CERT_USAGE, parse: parseBirthCertArgs, run: (sub, parsed) => birthCertCommand(sub, parsed, io), neverOverwritten: 'certificates' });

async function birthCertCommand(sub: string | undefined, { values, positionals }: ReturnType<typeof parseBirthCertArgs>, io: VendorIo): Promise<number> {
  if (sub === 'issue') {
    const key = await readSigningKey(need(values, 'key'));
    const cert = signBirthCertificate(key, { unitId: need(values, 'unit'), publicKey: need(values, 'public-key', UnitPublicKey.pattern), model: need(values, 'model', UnitModel.pattern) });
    // Never overwritten: a second certificate for one unit is a decision, not an accident.
    await writeFile(need(values, 'out'), `${JSON.stringify(cert)}\n`, { flag: 'wx', mode: 0o644 });
    io.out(`birth certificate for unit ${cert.unitId} (${cert.model}) signed by ${key.keyId.slice(0, 16)}…`);
    return 0;
  }
  if (sub === 'verify') {
    if (positionals.length !== 1 || !values.public?.length) throw new UsageError('pitwall birth-cert verify FILE --public KEY.pub.pem');
    const cert = birthCertificate.parse(JSON.parse(await readFile(positionals[0]!, 'utf8')));
    const trusted = new Map<string, ReturnType<typeof loadPublicKey>>();
    for (const f of values.public) {
      const k = loadPublicKey(await readPublicKeyPem(f));
      trusted.set(k.keyId, k);
    }
    const problem = birthCertificateProblem(cert, trusted, cert);
    if (problem) return io.err(`refused: ${problem}`), 1;
    io.out(`valid: unit ${cert.unitId} (${cert.model}), issued ${cert.issuedAt} by ${cert.vendorKeyId.slice(0, 16)}…`);
    return 0;
  }
  throw new UsageError(`unknown birth-cert command "${sub ?? ''}"`);
}
