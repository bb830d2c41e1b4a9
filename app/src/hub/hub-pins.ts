import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { CompanionError, HubChallenge, HubKeyInfo, validator, type HubChallenge as HubChallengeT, type HubKeyInfo as HubKeyInfoT } from '@pitwall/protocol';
import { writeFileAtomic, type HubClient } from '@pitwall/protocol/node';

/** What the companion keeps of one hub: its signing key (pinned at first contact) and the forward challenges it fetched. */
const PinnedHub = Type.Object({ url: Type.String(), key: HubKeyInfo, challenges: Type.Array(HubChallenge, { maxItems: 1000 }) }, { additionalProperties: false });
type PinnedHub = Static<typeof PinnedHub>;
const pinnedHubs = validator('PinnedHubs', Type.Array(PinnedHub, { maxItems: 64 }));

/** The largest number of forward challenges kept for one hub (a season of track days for a fleet). */
export const FORWARD_CHALLENGES_MAX = 1000;

/**
 * The companion's hubs (`<data dir>/hub/hubs.json`): each hub's key, pinned the first time the
 * companion reached it (a hub answering with another key later is refused: its records could
 * not be checked), and the `forward` challenges taken while online, spent one per unit signed
 * at the track while offline.
 */
export class HubPins {
  readonly dir: string;
  constructor(dataDir: string) {
    this.dir = join(dataDir, 'hub');
  }

  private get file(): string {
    return join(this.dir, 'hubs.json');
  }

  async list(): Promise<PinnedHub[]> {
    try {
      return pinnedHubs.parse(JSON.parse(await readFile(this.file, 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new CompanionError('internal', `${this.file} is damaged (${(err as Error).message}); move it aside to start again`);
    }
  }

  private async save(hubs: PinnedHub[]): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, JSON.stringify(pinnedHubs.parse(hubs)));
  }

  async get(url: string): Promise<PinnedHub | null> {
    return (await this.list()).find((h) => h.url === url) ?? null;
  }

  /** The hub's key as it answers now, pinned at first contact; a changed key is refused. */
  async pin(hub: HubClient): Promise<HubKeyInfoT> {
    const now = await hub.key();
    const hubs = await this.list();
    const held = hubs.find((h) => h.url === hub.baseUrl);
    if (held && held.key.publicKey !== now.publicKey) {
      throw new CompanionError('key-changed', `the hub at ${hub.baseUrl} now signs with key ${now.fingerprint}, not ${held.key.fingerprint} as pinned; its records cannot be trusted (if the hub's key was replaced on purpose, remove it from ${this.file})`);
    }
    if (!held) await this.save([...hubs, { url: hub.baseUrl, key: now, challenges: [] }]);
    return now;
  }

  /** Adds forward challenges for a pinned hub (expired ones are dropped); returns how many it now holds. */
  async addChallenges(url: string, fresh: HubChallengeT[], now = Date.now()): Promise<number> {
    const hubs = await this.list();
    const hub = hubs.find((h) => h.url === url);
    if (!hub) throw new CompanionError('not-found', `no hub ${url} pinned here`);
    hub.challenges = [...hub.challenges.filter((c) => Date.parse(c.expiresAt) > now), ...fresh].slice(-FORWARD_CHALLENGES_MAX);
    await this.save(hubs);
    return hub.challenges.length;
  }

  /** Takes one unexpired forward challenge of the hub (it is spent whether or not the unit then signs). */
  async takeChallenge(url: string, now = Date.now()): Promise<{ hub: PinnedHub; challenge: HubChallengeT }> {
    const hubs = await this.list();
    const hub = hubs.find((h) => h.url === url);
    if (!hub) throw new CompanionError('not-found', `the hub ${url} was never reached from this companion: while online, run pitwall hub challenges --hub ${url}`);
    hub.challenges = hub.challenges.filter((c) => Date.parse(c.expiresAt) > now);
    const challenge = hub.challenges.shift();
    if (!challenge) throw new CompanionError('not-found', `no unexpired forward challenge of ${url} is left: while online, run pitwall hub challenges --hub ${url}`);
    await this.save(hubs);
    return { hub, challenge };
  }
}
