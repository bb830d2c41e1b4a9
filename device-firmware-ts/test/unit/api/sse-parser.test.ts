import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSseParser, type SseEvent } from '../../helpers/sse-parser.js';

const STREAM = ': pitwall live\nretry: 2000\n\nevent: fix\ndata: {"a":1}\n\r\n: heartbeat\r\n\r\ndata:  two spaces\ndata:second\r\revent: lap\rdata: {"lap":3}\r\r';
const EVENTS: SseEvent[] = [
  { event: 'fix', data: '{"a":1}' },
  { event: 'message', data: ' two spaces\nsecond' },
  { event: 'lap', data: '{"lap":3}' },
];

test('the helpers\' SSE parser: LF, CRLF and CR line ends, comments, default type, multi-line data', () => {
  const got = createSseParser().push(STREAM);
  assert.deepEqual(got.events, EVENTS);
  assert.deepEqual(got.comments, ['pitwall live', 'heartbeat']);
});

test('the same events whatever the chunking (a CRLF split across chunks is one line end)', () => {
  for (let size = 1; size <= 7; size++) {
    const p = createSseParser();
    const events: SseEvent[] = [];
    for (let i = 0; i < STREAM.length; i += size) events.push(...p.push(STREAM.slice(i, i + size)).events);
    assert.deepEqual(events, EVENTS, `chunks of ${size}`);
  }
});
