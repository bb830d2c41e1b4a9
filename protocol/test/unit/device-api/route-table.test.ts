import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { answerCheck, matchRoute, rolesAllowed, route, routeName, routePath, ROUTE_LIST, Routes } from '../../../src/index.js';

test('routePath fills each :param URL-encoded and appends the query, leaving undefined values out', () => {
  assert.equal(routePath(Routes.sessionFile, { params: { id: '20240518T020005Z-a1b2c3' } }), `${Routes.sessions.path}/20240518T020005Z-a1b2c3`);
  assert.equal(routePath(Routes.revokeOperator, { params: { fingerprint: 'SHA256:a/b+c' } }).split('/').at(-1), 'SHA256%3Aa%2Fb%2Bc');
  assert.equal(routePath(Routes.logs, { query: { boot: 'b', after: 0, limit: undefined } }), `${Routes.logs.path}?boot=b&after=0`);
  assert.equal(routePath(Routes.health, { query: { since: undefined } }), Routes.health.path);
  assert.throws(() => routePath(Routes.crash, { params: { id: '' } }), /no value for :id/);
});

test('matchRoute finds each route of the table by its own path, fixed segments before parameters', () => {
  for (const [key, r] of Object.entries(Routes)) {
    const params = Object.fromEntries(Object.keys(r.params?.properties ?? {}).map((p) => [p, 'x y/z']));
    const hit = matchRoute(Routes, r.method, routePath(r, { params } as never));
    assert.equal(hit?.key, key, routeName(r));
    assert.deepEqual(hit.params, params);
  }
  assert.equal(matchRoute(Routes, 'POST', Routes.startSession.path)?.key, 'startSession');
  assert.equal(matchRoute(Routes, 'HEAD', Routes.info.path)?.key, 'info');
  assert.equal(matchRoute(Routes, 'PATCH', Routes.info.path), null);
  assert.equal(matchRoute(Routes, 'GET', `${Routes.info.path}/more`), null);
});

test('a route whose path parameters differ from its params schema is refused when declared', () => {
  assert.throws(() => route({ method: 'GET', path: '/v1/things/:id', responses: {}, access: 'read', summary: 'things' }), /path parameters \[id\] differ/);
  assert.throws(() => route({ method: 'GET', path: '/v1/things', params: Type.Object({ id: Type.String() }), responses: {}, access: 'read', summary: 'things' }), /differ/);
});

test('every route: one method and path, a success answer, an access that names roles', () => {
  const seen = new Set<string>();
  for (const r of ROUTE_LIST) {
    assert.ok(!seen.has(routeName(r)), `${routeName(r)} twice`);
    seen.add(routeName(r));
    assert.ok(Object.keys(r.responses).some((s) => Number(s) >= 200 && Number(s) < 300), `${routeName(r)} has a success answer`);
    assert.ok(rolesAllowed(r).includes('owner'), `${routeName(r)}: the owner may`);
  }
  assert.deepEqual(rolesAllowed(Routes.pushOwnTracks).sort(), ['dealer', 'owner']);
  assert.deepEqual(rolesAllowed(Routes.operators), ['owner']);
  assert.deepEqual(rolesAllowed(Routes.startSession).sort(), ['dealer', 'owner', 'staff']);
});

test("an answer is checked against the table's schema, under the message's own name", () => {
  assert.throws(() => answerCheck(Routes.crashes, 200).parse({ crashes: 'none' }), /invalid CrashList/);
  assert.equal(answerCheck(Routes.deleteSession, 204).is(null), true);
});
