import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LapTrace,
  LocalProjection,
  PreparedLine,
  bearingDeg,
  haversineM,
  lineAcross,
  lineHeadingDeg,
  orientLine,
  polylineLengthM,
  segmentIntersection,
} from '../../../src/timing/index.js';

const close = (a: number, b: number, tol: number, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b}`);

describe('geometry', () => {
  it('haversine: a degree of latitude, a degree of longitude at 60 N, zero', () => {
    close(haversineM({ lat: 0, lon: 0 }, { lat: 1, lon: 0 }), 111_195.08, 0.01);
    close(haversineM({ lat: 60, lon: 10 }, { lat: 60, lon: 11 }), 55_597.5, 1);
    assert.equal(haversineM({ lat: 12, lon: 34 }, { lat: 12, lon: 34 }), 0);
  });

  it('bearing: the four quarters', () => {
    const o = { lat: 45, lon: 7 };
    close(bearingDeg(o, { lat: 45.01, lon: 7 }), 0, 1e-9);
    close(bearingDeg(o, { lat: 45, lon: 7.01 }), 90, 0.01);
    close(bearingDeg(o, { lat: 44.99, lon: 7 }), 180, 1e-9);
    close(bearingDeg(o, { lat: 45, lon: 6.99 }), 270, 0.01);
  });

  it('local projection round-trips and agrees with haversine within 1 mm over 1 km', () => {
    const proj = new LocalProjection({ lat: 38.16, lon: -122.45 });
    const p = { lat: 38.165, lon: -122.446 };
    const xy = proj.toXy(p);
    const back = proj.toLatLon(xy);
    close(back.lat, p.lat, 1e-12);
    close(back.lon, p.lon, 1e-12);
    const q = { lat: 38.1651, lon: -122.4459 };
    const qx = proj.toXy(q);
    close(Math.hypot(qx.x - xy.x, qx.y - xy.y), haversineM(p, q), 0.001);
  });

  it('segment intersection: fractions, touching ends, parallel and disjoint', () => {
    const hit = segmentIntersection({ x: 0, y: -1 }, { x: 0, y: 3 }, { x: -2, y: 0 }, { x: 2, y: 0 })!;
    close(hit.t, 0.25, 1e-15);
    close(hit.u, 0.5, 1e-15);
    assert.ok(segmentIntersection({ x: 0, y: 0 }, { x: 0, y: 1 }, { x: -1, y: 0 }, { x: 1, y: 0 }));
    assert.equal(segmentIntersection({ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0, y: 1 }, { x: 1, y: 1 }), null);
    assert.equal(segmentIntersection({ x: 0, y: 1 }, { x: 0, y: 2 }, { x: -1, y: 0 }, { x: 1, y: 0 }), null);
  });

  it('a line across a heading: width, forward direction, orientation', () => {
    const at = { lat: 28.4127, lon: -81.3797 };
    const line = lineAcross(at, 350, 16);
    close(haversineM(line.a, line.b), 16, 1e-6);
    close(lineHeadingDeg(line), 350, 1e-4);
    assert.deepEqual(orientLine(line, 340), line);
    assert.deepEqual(orientLine(line, 170), { a: line.b, b: line.a });
  });

  it('prepared line: forward crossing fraction, none backwards, a fix on the line counted once', () => {
    const line = new PreparedLine(lineAcross({ lat: 50, lon: 8 }, 0, 20));
    const proj = new LocalProjection({ lat: 50, lon: 8 });
    const p = (x: number, y: number) => proj.toLatLon({ x, y });
    close(line.crossing(p(1, -3), p(1, 1))!.fraction, 0.75, 1e-9);
    assert.equal(line.crossing(p(1, 1), p(1, -3)), null);
    assert.equal(line.crossing(p(11, -3), p(11, 1)), null, 'beyond the end');
    assert.ok(new PreparedLine(line.line, 2).crossing(p(11, -3), p(11, 1)), 'within the margin');
    const onLine = p(0, 0);
    assert.ok(line.crossing(p(0, -1), onLine));
    assert.equal(line.crossing(onLine, p(0, 1)), null);
  });

  it('polyline length', () => {
    const pts = [
      { lat: 0, lon: 0 },
      { lat: 0, lon: 1 },
      { lat: 1, lon: 1 },
    ];
    close(polylineLengthM(pts), haversineM(pts[0]!, pts[1]!) + haversineM(pts[1]!, pts[2]!), 1e-9);
  });

  it('lap trace: interpolates by distance, clamps, and looks back after a rewind', () => {
    const trace = LapTrace.of([
      { distanceM: 0, elapsedMs: 0 },
      { distanceM: 100, elapsedMs: 4000 },
      { distanceM: 300, elapsedMs: 9000 },
    ]);
    assert.equal(trace.elapsedAt(50), 2000);
    assert.equal(trace.elapsedAt(200), 6500);
    assert.equal(trace.elapsedAt(1000), 9000);
    assert.equal(trace.elapsedAt(10), 400);
    trace.rewind();
    assert.equal(trace.elapsedAt(-5), 0);
    assert.equal(new LapTrace().elapsedAt(5), null);
  });
});
