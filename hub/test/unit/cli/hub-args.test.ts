import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParameterError } from '@pitwall/protocol';
import { parseHubArgs } from '../../../src/hub-args.js';

const ID = 'a'.repeat(32);

test('serve: SQLite from --data-dir with its key beside it; PostgreSQL only with a key file', () => {
  assert.deepEqual(parseHubArgs(['serve', '--data-dir', '/d']), {
    command: 'serve',
    target: { kind: 'sqlite', file: '/d/hub.sqlite' },
    keyFile: '/d/hub-key.pem',
    vendorKeysDir: null,
    host: '127.0.0.1',
    port: 8470,
    trustProxy: false,
    rateLimit: 120,
    memberRateLimit: 600,
  });
  const pg = parseHubArgs(['serve', '--database', 'postgres://h/db', '--key-file', '/k.pem', '--port', '0', '--trust-proxy', '--vendor-keys', '/vendor', '--rate-limit', '0', '--member-rate-limit', '30']);
  assert.deepEqual(pg, { command: 'serve', target: { kind: 'postgres', url: 'postgres://h/db' }, keyFile: '/k.pem', vendorKeysDir: '/vendor', host: '127.0.0.1', port: 0, trustProxy: true, rateLimit: 0, memberRateLimit: 30 });
  assert.throws(() => parseHubArgs(['serve', '--database', 'postgres://h/db']), /--key-file is required/);
});

test('mistakes are one sentence naming the flag', () => {
  const cases: [string[], RegExp][] = [
    [['serve'], /exactly one of --data-dir/],
    [['serve', '--data-dir', '/d', '--database', 'postgres://x/y'], /exactly one of --data-dir/],
    [['serve', '--database', 'mysql://x/y', '--key-file', 'k'], /postgres:\/\//],
    [['serve', '--data-dir', '/d', '--port', '70000'], /--port must be a whole number/],
    [['org', 'add', '--data-dir', '/d', '--kind', 'team', '--name', 'x'], /--kind must be one of vendor, dealer, academy/],
    [['org', 'add', '--data-dir', '/d', '--kind', 'dealer'], /--name is required/],
    [['org', 'link-dealer', '--data-dir', '/d', '--dealer', 'nope', '--academy', ID], /--dealer must be an id/],
    [['member', 'add', '--data-dir', '/d', '--org', ID], /--name is required/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['audit', '--data-dir', '/d', '--kind', 'everything'], /--kind must be one of key-mismatch/],
    [['audit', '--data-dir', '/d', '--limit', '0'], /--limit must be a whole number from 1/],
  ];
  for (const [argv, message] of cases) assert.throws(() => parseHubArgs(argv), (e: Error) => e instanceof ParameterError && message.test(e.message), argv.join(' '));
  assert.throws(() => parseHubArgs(['serve', '--data-dir', '/d', '--colour']), /Unknown option/);
});

test('audit: newest first, one kind or all', () => {
  assert.deepEqual(parseHubArgs(['audit', '--data-dir', '/d', '--kind', 'key-mismatch', '--limit', '5']), {
    command: 'audit',
    target: { kind: 'sqlite', file: '/d/hub.sqlite' },
    kind: 'key-mismatch',
    limit: 5,
  });
});

test('no command or --help prints the usage', () => {
  assert.deepEqual(parseHubArgs([]), { command: 'help' });
  assert.deepEqual(parseHubArgs(['serve', '--help']), { command: 'help' });
});
