import { randomBytes, verify, X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import { challengeMessage, CompanionError, Routes, type AnswerOf, type AnyRoute, type RouteArgs } from '@pitwall/protocol';
import { PinMismatchError, parseRouteAnswer, routeRequest, UnitRequestError, unitRequest, type UnitRequest, type UnitResponse } from '../device-client/http-client.js';
import { UnitAgent, type PeerCheck } from '../device-client/unit-agent.js';
import type { DeviceRegistry } from '../discovery/device-registry.js';
import type { OperatorKeyring } from '../identity/operator-key.js';
import type { Pin } from '../store/pin-repo.js';
import { conflictMessage, keyChangedMessage } from './pairing-state.js';

/** How long a successful challenge counts for one connection. */
export const PROOF_TTL_MS = 60_000;

interface Channel {
  pin: Pin;
  agent: UnitAgent;
  /** Per target: bumped on every new verified TLS connection. */
  epochs: Map<string, number>;
  proofs: Map<string, { epoch: number; until: number }>;
}

/**
 * Authenticated access to paired units: mutual TLS with the operator certificate, the unit's key
 * checked against the pin on every new connection before anything is sent, and a fresh-nonce
 * challenge (`ensureProven`) before any authenticated pull or push.
 */
export class UnitChannels {
  private readonly channels = new Map<string, Channel>();
  private context: Promise<SecureContext> | null = null;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly keyring: OperatorKeyring,
    private readonly log: (m: string) => void = () => undefined,
  ) {}

  /** The operator's TLS client context (certificate + key), made once. */
  clientContext(): Promise<SecureContext> {
    this.context ??= this.keyring.get().then((op) =>
      createSecureContext({ key: op.privateKey.export({ type: 'pkcs8', format: 'pem' }), cert: op.certificatePem, minVersion: 'TLSv1.3' }),
    );
    this.context.catch(() => (this.context = null));
    return this.context;
  }

  /** A check that refuses any key but the pin, naming both fingerprints, and notes what each link presents. */
  pinCheck(id: string, pin: Pin): PeerCheck {
    return (presented, target) => {
      this.registry.sawKey(id, target, presented.fingerprint);
      if (presented.fingerprint === pin.fingerprint) return null;
      const name = this.registry.get(id)?.name ?? id;
      return new PinMismatchError(pin.fingerprint, presented.fingerprint, keyChangedMessage(name, pin.fingerprint, presented.fingerprint));
    };
  }

  /** Drops the channel of a unit (after unpairing or re-pairing). */
  drop(id: string): void {
    this.channels.get(id)?.agent.destroy();
    this.channels.delete(id);
  }

  close(): void {
    for (const id of [...this.channels.keys()]) this.drop(id);
  }

  /** The pin of a paired unit whose state allows authenticated calls, or the CompanionError why not. */
  requirePin(id: string): Pin {
    const name = this.registry.get(id)?.name ?? id;
    const pin = this.registry.pin(id);
    if (!pin) throw new CompanionError('not-paired', `${name} is not paired with this companion. Pair it first (over USB, or over the network after pressing its pairing button).`);
    const pairing = this.registry.pairing(id);
    if (pairing.state === 'key-changed' && pairing.seenFingerprint) {
      throw new CompanionError('key-changed', keyChangedMessage(name, pin.fingerprint, pairing.seenFingerprint));
    }
    return pin;
  }

  /** Online targets for authenticated calls; `conflict` when only links presenting another key remain. */
  targets(id: string, pin: Pin): string[] {
    const trusted = this.registry.trustedTargets(id);
    if (trusted.length > 0) return trusted;
    const name = this.registry.get(id)?.name ?? id;
    const other = this.registry.networkKeys(id).find((k) => k.fingerprint && k.fingerprint !== pin.fingerprint);
    if (other?.fingerprint) {
      const state = this.registry.pairing(id).state;
      if (state === 'conflict') throw new CompanionError('conflict', conflictMessage(name, pin.fingerprint, other.fingerprint));
      throw new CompanionError('key-changed', keyChangedMessage(name, pin.fingerprint, other.fingerprint));
    }
    const usbOnly = this.registry.get(id)?.links.some((l) => l.kind === 'usb' && l.online);
    throw new CompanionError(
      'unreachable',
      usbOnly ? `${name} is connected by USB only; this needs a network link (Wi-Fi or Ethernet) to the unit` : `${name} is offline: no link to it answers right now`,
    );
  }

  private async channel(id: string, pin: Pin): Promise<Channel> {
    const existing = this.channels.get(id);
    if (existing && existing.pin.fingerprint === pin.fingerprint) return existing;
    if (existing) this.drop(id);
    const clientContext = await this.clientContext();
    const epochs = new Map<string, number>();
    const check = this.pinCheck(id, pin);
    const channel: Channel = {
      pin,
      epochs,
      proofs: new Map(),
      agent: new UnitAgent({
        clientContext,
        check,
        keepAlive: true,
        maxSockets: 1,
        // A proof holds for the connection it ran on: a new connection, or the end of the proven
        // one (the next request opens another), asks for a fresh proof.
        onConnection: (socket, _presented, target) => {
          const bump = (): void => void epochs.set(target, (epochs.get(target) ?? 0) + 1);
          bump();
          socket.once('close', bump);
        },
      }),
    };
    this.channels.set(id, channel);
    return channel;
  }

  /**
   * A fresh agent with the same pin check, apart from the channel's one connection: for a
   * long-lived stream (live fixes; no keep-alive), or for downloads (`keepAlive`: the next
   * download reuses the connection; the caller destroys the agent when done).
   */
  async streamAgent(id: string, o: { keepAlive?: boolean; maxSockets?: number } = {}): Promise<UnitAgent> {
    const pin = this.requirePin(id);
    return new UnitAgent({ clientContext: await this.clientContext(), check: this.pinCheck(id, pin), keepAlive: o.keepAlive, maxSockets: o.maxSockets });
  }

  /**
   * Proves that the unit at `target` holds the pinned key: a fresh 32-byte nonce to
   * POST /v1/identity/challenge, the signature verified with the PINNED public key. Cached for
   * the connection it ran on (until a new connection is made, or PROOF_TTL_MS).
   */
  async ensureProven(id: string, target?: string): Promise<void> {
    const pin = this.requirePin(id);
    const t = target ?? this.targets(id, pin)[0]!;
    const channel = await this.channel(id, pin);
    const cached = channel.proofs.get(t);
    if (cached && cached.epoch === (channel.epochs.get(t) ?? 0) && Date.now() < cached.until) return;
    const nonce = randomBytes(32).toString('base64');
    const res = await this.send(id, t, channel, routeRequest(Routes.challenge, { body: { nonce } }));
    const answer = this.parse(id, t, Routes.challenge, res);
    const publicKey = new X509Certificate(pin.certificate).publicKey;
    const ok = verify(null, challengeMessage(id, nonce), publicKey, Buffer.from(answer.signature, 'base64'));
    if (!ok) {
      const name = this.registry.get(id)?.name ?? id;
      this.log(`challenge: ${name} at ${t} did not sign with the pinned key ${pin.fingerprint}`);
      throw new CompanionError(
        'key-changed',
        `${name} at ${t} could not prove that it holds the pinned key ${pin.fingerprint} (its answer to a fresh challenge is not signed by that key). Nothing was pulled from or pushed to it.`,
      );
    }
    channel.proofs.set(t, { epoch: channel.epochs.get(t) ?? 0, until: Date.now() + PROOF_TTL_MS });
  }

  /**
   * The first of the unit's trusted targets that proves the pinned key now. A link that
   * presents another key (a rogue advertising the unit's id) or does not answer is passed over
   * for the next one; its failure is thrown only when no link proves the key.
   */
  async provenTarget(id: string): Promise<string> {
    const pin = this.requirePin(id);
    const failures: CompanionError[] = [];
    for (const target of this.targets(id, pin)) {
      try {
        await this.ensureProven(id, target);
        return target;
      } catch (err) {
        failures.push(this.passOver(id, target, err));
      }
    }
    throw worstOf(failures);
  }

  /**
   * An authenticated, proven call of a route of the table to a paired unit: tries its trusted
   * targets in turn. The answer is checked against the route's schema for its status.
   */
  async callRoute<R extends AnyRoute>(id: string, r: R, args: RouteArgs<R> = {}, o: { timeoutMs?: number } = {}): Promise<AnswerOf<R>> {
    const req = routeRequest(r, args, o);
    const pin = this.requirePin(id);
    const failures: CompanionError[] = [];
    for (const target of this.targets(id, pin)) {
      // A kept-alive connection the unit has just closed (e.g. after a revocation) fails with a
      // reset once: try that target one more time on a new connection.
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await this.ensureProven(id, target);
          const channel = await this.channel(id, pin);
          const res = await this.send(id, target, channel, req);
          return this.parse(id, target, r, res, req.path);
        } catch (err) {
          const failure = this.passOver(id, target, err);
          failures.push(failure);
          if (failure.code !== 'unreachable' || !/connection reset|broke while reading/.test(failure.message)) break;
        }
      }
    }
    throw worstOf(failures);
  }

  /** A failure on one link that the next link may not have (unreachable, another key), else thrown now. */
  private passOver(id: string, target: string, err: unknown): CompanionError {
    const failure = this.toCompanionError(id, err);
    if (failure.code !== 'unreachable' && failure.code !== 'key-changed') throw failure;
    if (failure.code === 'key-changed') this.log(`${this.registry.get(id)?.name ?? id} at ${target}: ${failure.message}; trying its other links`);
    return failure;
  }

  private async send(id: string, target: string, channel: Channel, req: UnitRequest) {
    try {
      return await unitRequest(target, { ...req, agent: channel.agent });
    } catch (err) {
      throw this.toCompanionError(id, err);
    }
  }

  private parse<R extends AnyRoute>(id: string, target: string, r: R, res: UnitResponse, path?: string): AnswerOf<R> {
    try {
      return parseRouteAnswer(target, r, res, path);
    } catch (err) {
      throw this.toCompanionError(id, err);
    }
  }

  /** Unit refusals and TLS failures in the words of the contract's error codes. */
  toCompanionError(id: string, err: unknown): CompanionError {
    if (err instanceof CompanionError) return err;
    const name = this.registry.get(id)?.name ?? id;
    if (!(err instanceof UnitRequestError)) return new CompanionError('internal', `request to ${name} failed: ${(err as Error)?.message ?? String(err)}`);
    if (err.kind === 'key-changed') return new CompanionError('key-changed', err.message);
    if (err.kind === 'refused') {
      if (err.status === 401) return new CompanionError('not-paired', `${name} does not know this companion's key (it was reset, or the pairing was removed on the unit). Pair it again. (${err.message})`);
      if (err.apiCode === 'revoked') return new CompanionError('not-paired', `${name} revoked this companion's access. Ask the unit's owner to pair it again. (${err.message})`);
      if (err.apiCode === 'pairing-closed') return new CompanionError('pairing-closed', err.message);
      if (err.status === 404) return new CompanionError('not-found', `${name}: ${err.message}`);
      return new CompanionError('forbidden', `${name} refused: ${err.message}`);
    }
    return new CompanionError(err.kind, err.message);
  }
}

/** What to report when every link failed: another key outweighs a link that did not answer. */
function worstOf(failures: CompanionError[]): CompanionError {
  return failures.find((f) => f.code === 'key-changed') ?? failures.at(-1) ?? new CompanionError('unreachable', 'no link answered');
}
