import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { MethodResult } from '@pitwall/protocol';
import type { SupportViewProps } from '../../../src/components/support-section.js';
import type { Gate } from '../../../src/license/license-gates.js';
import { installBridge } from '../../helpers/fake-bridge.js';

// The section's module reaches the licence store, which listens to window.pitwall once loaded; and
// the test loader compiles JSX to React.createElement (the UI bundle uses the automatic runtime).
installBridge();
(globalThis as { React?: unknown }).React = React;
const { SupportView } = await import('../../../src/components/support-section.js');

const OFF: MethodResult<'support:status'> = {
  on: false,
  by: null,
  expiresAt: null,
  remainingS: 0,
  tunnel: 'down',
  relay: { host: 'relay.example', port: 22, user: 'pitwall', listenPort: 20001 },
  supportKey: null,
  relayKeyLine: null,
  exportHostKey: null,
  lastError: null,
};
const ON: MethodResult<'support:status'> = { ...OFF, on: true, by: 'switch', expiresAt: '2027-01-01T01:00:00Z', remainingS: 3600, tunnel: 'backoff' };
const DENIED: Gate = { allowed: false, why: 'licence does not include support-mode' };

const render = (o: Partial<SupportViewProps>) =>
  renderToStaticMarkup(
    React.createElement(SupportView, { unitId: 'u1', status: OFF, remainingS: 0, onGate: { allowed: true, why: null }, busy: false, durationS: 3600, onDuration: () => undefined, onTurn: () => undefined, error: null, ...o }),
  );

/** The markup inside the greyed, inert part of the section ('' when nothing is greyed). */
const inertPart = (html: string) => /<div class="feature-gated-body" aria-disabled="true" inert="">(.*?)<\/div><\/div>/s.exec(html)?.[1] ?? '';

test('without support-mode only "support on" is greyed (inert, with the reason); "support off" always stays in reach', () => {
  const off = render({ onGate: DENIED });
  assert.match(off, /Turning support on unavailable: licence does not include support-mode/);
  assert.match(inertPart(off), /data-testid="support-on"/, 'the on button is in the inert part');
  assert.match(inertPart(off), /data-testid="support-duration"/);
  assert.match(off, /data-testid="support-state"/);
  assert.doesNotMatch(off.replace(inertPart(off), ''), /data-testid="support-on"/);

  const on = render({ status: ON, remainingS: 3600, onGate: DENIED });
  assert.match(on, /<button[^>]*data-testid="support-off"/);
  assert.doesNotMatch(on, /inert|feature-gated/, 'nothing of a running support session is greyed: turning it off is a safety action');
  assert.doesNotMatch(/<button[^>]*data-testid="support-off"[^>]*>/.exec(on)![0], /disabled/);
});

test('with support-mode in force nothing is greyed', () => {
  const off = render({});
  assert.doesNotMatch(off, /inert|feature-gated/);
  assert.match(off, /<button[^>]*data-testid="support-on"/);
});
