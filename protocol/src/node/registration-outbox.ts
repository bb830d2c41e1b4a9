import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { registrationRequest, signedRegistration, type RegistrationRequest, type SignedRegistration } from '../hub/index.js';
import { writeFileAtomic } from './atomic-file.js';
import { HubCallError, type HubClient } from './hub-client.js';

export interface ForwardResult {
  unitId: string;
  outcome: 'registered' | 'refused' | 'kept';
  /** The hub's code for a refusal, or why the request was kept for later. */
  reason?: string;
}

/**
 * Store and forward for units that are never online: a companion keeps each unit's signed
 * registration request in a folder (one file per unit, written atomically) until it reaches the
 * hub, then keeps the hub's signed answer until it is carried back to the unit. A refusal is
 * kept too, so the person sees why; a hub that cannot be reached leaves the request for the next try.
 */
export class RegistrationOutbox {
  constructor(private readonly dir: string) {}

  private file(kind: 'request' | 'answer' | 'refusal', unitId: string): string {
    return join(this.dir, `${unitId}.${kind}.json`);
  }

  async put(request: RegistrationRequest): Promise<void> {
    const r = registrationRequest.parse(request);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file('request', r.unitId), JSON.stringify(r));
  }

  async pending(): Promise<RegistrationRequest[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: RegistrationRequest[] = [];
    for (const n of names.filter((f) => f.endsWith('.request.json')).sort()) {
      out.push(registrationRequest.parse(JSON.parse(await readFile(join(this.dir, n), 'utf8'))));
    }
    return out;
  }

  async answerFor(unitId: string): Promise<SignedRegistration | null> {
    try {
      return signedRegistration.parse(JSON.parse(await readFile(this.file('answer', unitId), 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async refusalFor(unitId: string): Promise<{ code: string; message: string } | null> {
    try {
      return JSON.parse(await readFile(this.file('refusal', unitId), 'utf8')) as { code: string; message: string };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /** Forgets a unit's answer once it has been carried to the unit (or kept elsewhere). */
  async removeAnswer(unitId: string): Promise<void> {
    await unlink(this.file('answer', unitId)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  /**
   * Sends every pending request; each answer or refusal replaces its request. `check` judges an
   * answer before it is kept (a hub's signature, the unit and key it names): when it throws, the
   * answer is kept as a refusal ('bad-answer') instead.
   */
  async forward(hub: HubClient, check?: (answer: SignedRegistration, request: RegistrationRequest) => void): Promise<ForwardResult[]> {
    const results: ForwardResult[] = [];
    for (const req of await this.pending()) {
      try {
        const answer = await hub.register(req);
        try {
          check?.(answer, req);
        } catch (err) {
          await writeFileAtomic(this.file('refusal', req.unitId), JSON.stringify({ code: 'bad-answer', message: (err as Error).message }));
          await unlink(this.file('request', req.unitId));
          results.push({ unitId: req.unitId, outcome: 'refused', reason: 'bad-answer' });
          continue;
        }
        await writeFileAtomic(this.file('answer', req.unitId), JSON.stringify(answer));
        await unlink(this.file('request', req.unitId));
        results.push({ unitId: req.unitId, outcome: 'registered' });
      } catch (err) {
        if (!(err instanceof HubCallError)) throw err;
        if (!err.final) {
          results.push({ unitId: req.unitId, outcome: 'kept', reason: err.message });
          continue;
        }
        await writeFileAtomic(this.file('refusal', req.unitId), JSON.stringify({ code: err.code, message: err.message }));
        await unlink(this.file('request', req.unitId));
        results.push({ unitId: req.unitId, outcome: 'refused', reason: err.code });
      }
    }
    return results;
  }
}
