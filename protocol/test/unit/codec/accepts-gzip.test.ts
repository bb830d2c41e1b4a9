import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptsGzip } from '../../../src/index.js';
import { seededRandom } from '../../seeded-random.js';

test('Accept-Encoding: gzip is taken when named with a non-zero weight, in any case, among others', () => {
  for (const h of ['gzip', 'GZIP', ' gzip ', 'deflate, gzip', 'br;q=1, gzip;q=0.1', 'gzip;Q=0.5', ['identity', 'gzip']]) assert.equal(acceptsGzip(h), true, JSON.stringify(h));
  for (const h of [undefined, '', 'identity', 'gzip;q=0', 'gzip;q=0.000', 'gzip;q=x', 'x-gzipped', 'gzip2', 'br, deflate', '*', ['identity']]) assert.equal(acceptsGzip(h), false, JSON.stringify(h));
});

test('fuzz: any header value gives a yes or a no, never an exception', () => {
  const rand = seededRandom(11);
  const alphabet = 'gzipGZIP;q=0.1,* \t"\\\u0000é';
  for (let i = 0; i < 5000; i++) {
    const h = Array.from({ length: Math.floor(rand() * 40) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    assert.equal(typeof acceptsGzip(h), 'boolean');
  }
});
