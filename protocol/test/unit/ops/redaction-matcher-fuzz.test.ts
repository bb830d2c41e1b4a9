// The Redactor's one precompiled pre-check (the rules' words and its runtime secrets in a single
// regular expression) must pass every text the rules or a runtime secret could change, and give
// exactly what the full rules give. The reference is the rules run unconditionally, with the
// runtime secrets as their own case-insensitive alternation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redactor } from '../../../src/ops/redaction.js';
import { redactFreeText } from '../../../src/ops/redaction-text.js';
import { seededRandom } from '../../seeded-random.js';

const SEED = 0x0c0b_1e5d;
const rand = seededRandom(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const anyCase = (s: string) => [...s].map((c) => (rand() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');

const RUNTIME = ['Tr4ckDay-Wifi!', 'paddock.5G+', 'a(b)c|d*e?f', 'wifi\\pass'];
// Whole words, their fragments and near misses, the runtime secrets cut short, and separators.
const FRAGMENTS = [
  'password', 'passphrase', 'passwd', 'pass', 'psk', 'secret', 'token', 'api_key', 'api-key', 'api key', 'apikey', 'private key', 'PRIVATE KEY',
  'authorization', 'authorisation', 'cookie', 'credential', 'wpa_key', 'wpakey', 'session-key', 'bearer', 'basic',
  'passe', 'pas', 'ps', 'sk', 'secre', 'toke', 'api', 'privat', 'author', 'cooki', 'credentia', 'wpa', 'sessio', 'beare', 'basi',
  'fix 1234 from the receiver', 'lap 3: 1:02.345', 'GET /v1/sessions/s-9 200', ' ', '=', ': ', '"', "'", '\\', ',', '\n', 'é', '💥',
  ...RUNTIME, ...RUNTIME.map((s) => s.slice(0, -1)), ...RUNTIME.map((s) => s.slice(1)),
];

function text(): string {
  let s = '';
  for (let i = int(0, 10); i > 0; i--) s += rand() < 0.8 ? anyCase(pick(FRAGMENTS)) : String.fromCharCode(int(0, 0x2ff));
  return s;
}

test(`seeded fuzz (seed ${SEED}): the one-regex pre-check gives what the full rules give, with and without runtime secrets`, () => {
  for (const count of [0, 1, RUNTIME.length]) {
    const r = new Redactor();
    for (const s of RUNTIME.slice(0, count)) r.addSecret(s);
    const literals = count ? new RegExp(RUNTIME.slice(0, count).map((x) => x.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).sort((a, b) => b.length - a.length).join('|'), 'gi') : null;
    let changed = 0;
    for (let round = 0; round < 20_000; round++) {
      const s = text();
      const want = redactFreeText(s, literals);
      assert.equal(r.text(s), want, `secrets ${count}, round ${round}: ${JSON.stringify(s)}`);
      if (want !== s) {
        changed++;
        assert.ok(r.mayChange(s), `mayChange missed ${JSON.stringify(s)}`);
      }
    }
    assert.ok(changed > 2_000, `only ${changed} texts had anything to redact`);
  }
});
