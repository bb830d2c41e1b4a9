import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedSessionBatch, SESSION_BATCH_MAX_B, SESSION_BATCH_MAX_ITEMS } from '../../../src/hub/index.js';
import { sessionBatchBodies } from '../../../src/node/hub-client.js';
import { seededRandom } from '../../seeded-random.js';

const UNIT = '0f8fad5b-d9cb-469f-a165-70867728950e';
const item = (i: number, laps: number, sectors = 3) => ({
  unitId: UNIT,
  sessionId: `s${i}`,
  startedAt: '2026-05-01T10:00:00.000Z',
  trackId: null,
  laps: Array.from({ length: laps }, (_, l) => ({ lap: l + 1, timeMs: 60_000, sectorsMs: Array.from({ length: sectors }, () => 20_000) })),
  groups: [],
});

describe('session batch bodies (how HubClient.shareSessions cuts a batch into requests)', () => {
  it('a day is one body; every body is a valid batch under both caps; the sessions keep their order', () => {
    const day = Array.from({ length: 10 }, (_, i) => JSON.stringify(item(i, 30)));
    assert.equal(sessionBatchBodies(day).length, 1);
    const rand = seededRandom(0xb0d1e5);
    for (let round = 0; round < 20; round++) {
      const n = 1 + Math.floor(rand() * 1200);
      const items = Array.from({ length: n }, (_, i) => JSON.stringify(item(i, 1 + Math.floor(rand() * 40))));
      const [maxItems, maxBytes] = [1 + Math.floor(rand() * SESSION_BATCH_MAX_ITEMS), 2_000 + Math.floor(rand() * 200_000)];
      const bodies = sessionBatchBodies(items, maxItems, maxBytes);
      const back = bodies.flatMap((b) => {
        const parsed = JSON.parse(b) as unknown;
        assert.ok(sharedSessionBatch.is(parsed));
        assert.ok(parsed.sessions.length <= maxItems);
        assert.ok(Buffer.byteLength(b) <= maxBytes || parsed.sessions.length === 1, 'over the byte cap only a session alone');
        return parsed.sessions.map((s) => JSON.stringify(s));
      });
      assert.deepEqual(back, items);
    }
  });

  it('the default caps: 500 sessions a request, 8 MiB', () => {
    const items = Array.from({ length: 1001 }, (_, i) => JSON.stringify(item(i, 1)));
    assert.deepEqual(sessionBatchBodies(items).map((b) => (JSON.parse(b) as { sessions: unknown[] }).sessions.length), [500, 500, 1]);
    const big = Array.from({ length: 40 }, (_, i) => JSON.stringify(item(i, 1000, 32)));
    const bodies = sessionBatchBodies(big);
    assert.ok(bodies.length > 1 && bodies.every((b) => Buffer.byteLength(b) <= SESSION_BATCH_MAX_B));
  });
});
