/**
 * Wi-Fi provisioning over the HTTPS API (the `wifi*` entries of the route table): owner and
 * dealer change it, staff may look, support gets nothing. Bodies are checked here (the server's
 * validator coerces types), every change is an audit record without the secret, and no answer
 * carries a password.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Routes, wifiAddRequest, wifiModeRequest, wifiPriorityRequest, type Operator } from '@pitwall/protocol';
import { asWifiError, type WifiActor, type WifiService } from '../ops/network/wifi-service.js';
import { serve } from './table-route.js';

export interface WifiRoutesDeps {
  wifi: WifiService;
  send(reply: FastifyReply, status: number, code: string, message: string): void;
}

const actor = (op: Operator): WifiActor => ({ fingerprint: op.fingerprint, role: op.role, name: op.name, via: 'network' });

/** The validator's first complaint, never the value (a password field must not come back). */
function bodyProblem(v: { parse(x: unknown): unknown }, body: unknown): string | null {
  try {
    v.parse(body);
    return null;
  } catch (err) {
    return (err as Error).message.replace(/got .*$/s, '').slice(0, 300);
  }
}

export function registerWifiRoutes(app: FastifyInstance, d: WifiRoutesDeps): void {
  const run = async <T>(reply: FastifyReply, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      const e = asWifiError(err);
      d.send(reply, e.status, e.code, e.message);
      return undefined;
    }
  };
  const checked = { bodyCheckedByHandler: true };

  serve(app, Routes.wifiStatus, () => d.wifi.status());
  serve(app, Routes.wifiNetworks, (req, reply) => run(reply, async () => ({ networks: await d.wifi.scan(req.query.rescan === 'yes') })));
  serve(app, Routes.wifiProfiles, (_req, reply) => run(reply, async () => ({ profiles: await d.wifi.list() })));
  serve(
    app,
    Routes.addWifiProfile,
    async (req, reply) => {
      const problem = bodyProblem(wifiAddRequest, req.body);
      if (problem) return d.send(reply, 400, 'bad-wifi-request', `network refused, nothing changed: ${problem}`);
      return run(reply, () => d.wifi.add(wifiAddRequest.parse(req.body), actor(req.operator!)));
    },
    checked,
  );
  serve(app, Routes.removeWifiProfile, (req, reply) =>
    run(reply, async () => {
      await d.wifi.remove(req.params.uuid, actor(req.operator!));
      return { removed: req.params.uuid };
    }),
  );
  serve(
    app,
    Routes.wifiPriority,
    async (req, reply) => {
      const problem = bodyProblem(wifiPriorityRequest, req.body);
      if (problem) return d.send(reply, 400, 'bad-wifi-request', `priority refused, nothing changed: ${problem} (client networks take -999..998; 999 is the support network's)`);
      return run(reply, async () => {
        await d.wifi.priority(req.params.uuid, wifiPriorityRequest.parse(req.body).priority, actor(req.operator!));
        return { profiles: await d.wifi.list() };
      });
    },
    checked,
  );
  serve(app, Routes.connectWifi, (req, reply) => run(reply, () => d.wifi.connect(req.params.uuid, actor(req.operator!))));
  // The latch's position takes effect at boot; only the owner may apply a mode at once.
  serve(
    app,
    Routes.wifiMode,
    async (req, reply) => {
      const problem = bodyProblem(wifiModeRequest, req.body);
      if (problem) return d.send(reply, 400, 'bad-wifi-request', `mode refused, nothing changed: ${problem}`);
      return run(reply, () => d.wifi.setMode(wifiModeRequest.parse(req.body).mode, actor(req.operator!)));
    },
    checked,
  );
}
