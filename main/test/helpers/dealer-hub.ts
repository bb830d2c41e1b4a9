import { join } from 'node:path';
import { HubRoutes } from '@pitwall/protocol';
import { hubCli, startHubProcess, type HubProcess } from '../../../hub/test/helpers/hub-process.js';

export interface DealerHub {
  hub: HubProcess;
  /** A member of the academy (fetches forward challenges, connects the Hub screen). */
  coachToken: string;
  /** A one-time claim code a dealer made for the academy. */
  claimCode: string;
}

/**
 * A real `pitwall-hub serve` on SQLite in `dir` (development mode: no vendor keys) with an
 * academy "Ridge Academy" served by a dealer, seeded through the hub's CLI; the dealer's member
 * makes one claim code for the academy through the API, as a dealer does before handing units over.
 */
export async function startDealerHub(dir: string): Promise<DealerHub> {
  const target = { kind: 'sqlite' as const, file: join(dir, 'hub.sqlite') };
  const academy = await hubCli(['org', 'add', '--kind', 'academy', '--name', 'Ridge Academy'], target, dir);
  const dealer = await hubCli(['org', 'add', '--kind', 'dealer', '--name', 'Ridge Dealer'], target, dir);
  await hubCli(['org', 'link-dealer', '--dealer', dealer.organisationId!, '--academy', academy.organisationId!], target, dir);
  const dealerToken = (await hubCli(['member', 'add', '--org', dealer.organisationId!, '--name', 'Dealer'], target, dir)).token!;
  const coachToken = (await hubCli(['member', 'add', '--org', academy.organisationId!, '--name', 'Coach'], target, dir)).token!;
  const hub = await startHubProcess(target, dir, join(dir, 'hub-key.pem'));
  const issued = await fetch(new URL(HubRoutes.claimCode.path, hub.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${dealerToken}` },
    body: JSON.stringify({ academyId: academy.organisationId }),
  });
  if (issued.status !== 201) throw new Error(`the hub made no claim code: ${issued.status} ${await issued.text()}`);
  return { hub, coachToken, claimCode: ((await issued.json()) as { code: string }).code };
}
