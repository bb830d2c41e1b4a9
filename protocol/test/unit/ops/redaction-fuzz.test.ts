import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redactor, isSecretKey, redactText, redactValue } from '../../../src/ops/redaction.js';
import { seededRandom } from '../../seeded-random.js';

const SEED = 0x5eed_0a11;
const rand = seededRandom(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

/** Random letter case: "PaSsWoRd". */
function anyCase(s: string): string {
  return [...s].map((c) => (rand() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');
}

let planted = 0;
/** A fresh secret nobody could mistake for ordinary text (`zq` marks it for the search). */
function secret(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789._-+/!#$%@';
  let s = `zq${planted++}x`;
  for (let i = int(6, 30); i > 0; i--) s += pick([...alphabet]);
  return s;
}

const WORDS = ['password', 'passphrase', 'passwd', 'psk', 'secret', 'token', 'api_key', 'api-key', 'apikey', 'private_key', 'authorization', 'cookie', 'credentials', 'wpa_key', 'session_key'];
const KEY_NAMES = [...WORDS, 'pass', 'wifiPass', 'WiFi_PSK', 'signingKey', 'key', 'accessToken', 'clientSecret', 'x-api-key', 'Set-Cookie'];

/** Text shapes that hold a secret the rules must remove, with the word in any case. */
const textShapes: ((s: string) => string)[] = [
  (s) => `${anyCase(pick(WORDS))}=${s}`,
  (s) => `${anyCase(pick(WORDS))}: ${s}`,
  (s) => `"${anyCase(pick(WORDS))}":"${s}"`,
  (s) => `{\\"${anyCase(pick(WORDS))}\\":\\"${s}\\"}`,
  (s) => `${anyCase(pick(WORDS))} ${s}`,
  (s) => `${anyCase(pick(WORDS))} ${anyCase(pick(['is', 'was']))} '${s}'`,
  (s) => `${anyCase('pass')}=${s}`,
  (s) => `${anyCase('authorization')}: ${anyCase('bearer')} ${s}`,
  (s) => `${anyCase('bearer')} ${s}`,
  (s) => `-----BEGIN ${pick(['', 'RSA ', 'EC ', 'OPENSSH '])}PRIVATE KEY-----\n${s}\n${pick(['-----END PRIVATE KEY-----', ''])}`,
];
const NOISE = ['lap 3: 1:02.345', 'is', 'set', ' ', '\t', '\n', '"', "'", '\\', ':', '=', ',', ';', '}', ']', ')', 'token', 'PASS', 'bearer', 'basic', '-----BEGIN ', 'PRIVATE KEY-----', '[redacted]', 'é', '💥', 'keyboard'];

function noise(): string {
  let s = '';
  for (let i = int(0, 6); i > 0; i--) s += rand() < 0.7 ? pick(NOISE) : String.fromCharCode(int(0, 0x2ff));
  return s;
}

function plantedText(secrets: string[]): string {
  const s = secret();
  secrets.push(s);
  return `${noise()} ${pick(textShapes)(s)}${pick([' ', '\n', ', ', '; ', ''])}${pick(['', 'done', noise()])}`;
}

/** A nested value with secrets under secret-named fields (any case) and inside its texts. */
function plantedValue(depth: number, secrets: string[]): unknown {
  const r = rand();
  if (depth >= 6 || r < 0.25) return rand() < 0.5 ? plantedText(secrets) : pick([1, 2.5, true, null, noise()]);
  if (r < 0.45) return Array.from({ length: int(0, 4) }, () => plantedValue(depth + 1, secrets));
  const out: Record<string, unknown> = {};
  for (let i = int(1, 4); i > 0; i--) {
    if (rand() < 0.4) {
      const s = secret();
      secrets.push(s);
      out[anyCase(pick(KEY_NAMES))] = rand() < 0.8 ? s : { nested: s, list: [s] };
    } else {
      out[pick(['ssid', 'note', 'mode', 'err', 'wifi', 'cfg', noise() || 'x'])] = plantedValue(depth + 1, secrets);
    }
  }
  return out;
}

function leaks(out: unknown, secrets: string[]): string[] {
  const text = JSON.stringify(out).toLowerCase();
  return secrets.filter((s) => text.includes(JSON.stringify(s.toLowerCase()).slice(1, -1)));
}

test(`seeded fuzz (seed ${SEED}): planted secrets never survive, never throws, idempotent`, () => {
  for (let round = 0; round < 3_000; round++) {
    const secrets: string[] = [];
    const value = plantedValue(0, secrets);
    const once = redactValue(value);
    assert.deepEqual(leaks(once, secrets), [], `round ${round}: ${JSON.stringify(value)} -> ${JSON.stringify(once)}`);
    assert.deepEqual(redactValue(once), once, `round ${round}: not idempotent: ${JSON.stringify(once)}`);
  }
});

test(`seeded fuzz (seed ${SEED}): random junk text never throws and redacts idempotently`, () => {
  for (let round = 0; round < 5_000; round++) {
    let s = '';
    for (let i = int(1, 12); i > 0; i--) s += rand() < 0.5 ? noise() : anyCase(pick([...WORDS, 'pass', 'is', 'basic', 'Bearer']));
    const once = redactText(s);
    assert.equal(redactText(once), once, `round ${round}: ${JSON.stringify(s)} -> ${JSON.stringify(once)}`);
  }
});

test(`seeded fuzz (seed ${SEED}): a value mayChange calls safe is exactly what redaction returns`, () => {
  const r = new Redactor();
  r.addSecret('Tr4ckDay-Wifi!');
  let safe = 0;
  for (let round = 0; round < 3_000; round++) {
    const secrets: string[] = [];
    const value = rand() < 0.5 ? plantedValue(0, secrets) : { lap: round, note: rand() < 0.5 ? noise() : 'ok', nested: [{ speedMps: rand() * 80, ssid: pick(['Paddock', 'tr4ckday-wifi! x', 'x']) }] };
    if (!r.mayChange(value)) {
      safe++;
      assert.deepEqual(r.value(value), value, JSON.stringify(value));
    }
  }
  assert.ok(safe > 500, `${safe} values were found safe`);
});

test('runtime secrets go in any letter case, a secret inside the marker is refused, odd values do not throw', () => {
  const r = new Redactor();
  r.addSecret('Tr4ckDay-Wifi!');
  r.addSecret('dact'); // inside "[redacted]": would never settle
  r.addSecret('ab');
  assert.equal(r.text('joining TR4CKDAY-WIFI! now'), 'joining [redacted] now');
  assert.equal(r.text('redacted'), 'redacted');
  const cyclic: Record<string, unknown> = { a: 1n, when: new Date(0), bytes: new Uint8Array(3), f: () => 1 };
  cyclic.self = cyclic;
  const err = Object.assign(new Error('failed: psk=abc123456', { cause: new Error('token=zz9') }), { Secret: 'x1x1x1' });
  assert.deepEqual(r.value({ cyclic, err: [err] }), {
    cyclic: { a: '1', when: '1970-01-01T00:00:00.000Z', bytes: '[3 bytes]', f: undefined, self: '[circular]' },
    err: [{ type: 'Error', message: 'failed: psk=[redacted]', stack: r.text(err.stack!), Secret: '[redacted]', cause: { type: 'Error', message: 'token=[redacted]', stack: r.text((err.cause as Error).stack!) } }],
  });
});

test('field names: the stricter of the two old rules, ordinary names stay', () => {
  for (const k of ['password', 'WiFi_PSK', 'wifiPass', 'pass', 'PASS', 'apiKey', 'signingKey', 'key', 'x-api-key', 'Set-Cookie', 'clientSecret', 'sessionToken', 'Authorisation']) {
    assert.ok(isSecretKey(k), k);
  }
  for (const k of ['passed', 'compass', 'publicKey', 'public_key', 'keyboard', 'ssid', 'mode', 'lapTimeMs']) assert.ok(!isSecretKey(k), k);
  assert.deepEqual(redactValue({ hasPassword: true, token: null, secret: '' }), { hasPassword: true, token: null, secret: '' });
});

test('depth: containers nested deeper than 8 become "[too deep]"', () => {
  let v: unknown = { psk: 'deep-secret' };
  for (let i = 0; i < 12; i++) v = { v };
  assert.ok(!JSON.stringify(redactValue(v)).includes('deep-secret'));
  assert.match(JSON.stringify(redactValue(v)), /\[too deep\]/);
});
