import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthGate } from '../../../src/update/boot-health-gate.js';

const answers = async () => {};
const silent = async () => {
  throw new Error('connect ECONNREFUSED');
};

test('the gate passes only after the trial, with the API answering and fixes arriving from an attached receiver', async () => {
  const gate = new HealthGate({ trialS: 10, gnssWindowS: 5, probe: answers });
  assert.equal(gate.dueInMs(0), null, 'no decision before ready');
  gate.ready('https://127.0.0.1:1/v1/info', 0);
  assert.equal(gate.dueInMs(4000), 6000);
  gate.beat({ attached: true, fixes: 0 }, 1000);
  gate.beat({ attached: true, fixes: 40 }, 8000);
  assert.deepEqual(await gate.decide(10_000), { pass: true });
  // The fixes stopped 7 s ago: a receiver attached but silent fails.
  const late = await gate.decide(15_001);
  assert.equal(late.pass, false);
  assert.match((late as { why: string }).why, /no GNSS fix in the last 5 s/);
});

test('an attached receiver that never gives a fix, or an API that does not answer, fails the gate with the reason', async () => {
  const noFix = new HealthGate({ trialS: 1, probe: answers });
  noFix.ready('http://127.0.0.1:1/', 0);
  noFix.beat({ attached: true, fixes: 0 }, 500);
  const v = await noFix.decide(1000);
  assert.equal(v.pass, false);
  assert.match((v as { why: string }).why, /^no GNSS fix after 1 s up \(receiver attached\)/);

  const noApi = new HealthGate({ trialS: 1, probe: silent });
  noApi.ready('http://127.0.0.1:1/v1/info', 0);
  const w = await noApi.decide(1000);
  assert.equal(w.pass, false);
  assert.match((w as { why: string }).why, /API at http:\/\/127\.0\.0\.1:1\/v1\/info did not answer: connect ECONNREFUSED/);
});

test('without a receiver attached, GNSS does not hold the gate', async () => {
  const gate = new HealthGate({ trialS: 1, probe: answers });
  gate.ready('http://127.0.0.1:1/', 0);
  gate.beat({ attached: false, fixes: 0 }, 500);
  assert.deepEqual(await gate.decide(1000), { pass: true });
});

test('a trial shorter than the GNSS window waits for a first fix until the window is up, then decides', async () => {
  const gate = new HealthGate({ trialS: 0.2, gnssWindowS: 1, probe: answers });
  gate.ready('http://127.0.0.1:1/', 0);
  gate.beat({ attached: true, fixes: 0 }, 100);
  assert.deepEqual(await gate.decide(200), { pass: false, waitMs: 800 }, 'no fix yet, 0.2 s up: ask again when the window is up');
  gate.beat({ attached: true, fixes: 3 }, 500);
  assert.deepEqual(await gate.decide(1000), { pass: true });

  const never = new HealthGate({ trialS: 0.2, gnssWindowS: 1, probe: answers });
  never.ready('http://127.0.0.1:1/', 0);
  never.beat({ attached: true, fixes: 0 }, 100);
  assert.ok('waitMs' in (await never.decide(200)));
  const v = await never.decide(1000);
  assert.equal(v.pass, false);
  assert.match((v as { why: string }).why, /^no GNSS fix after 1 s up \(receiver attached\)/);
});
