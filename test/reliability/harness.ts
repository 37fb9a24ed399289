// Shared pieces of the reliability tests: a watching secret manager against
// the embedded API server on a FakeClock, with reads checked for monotonic
// resourceVersions, server-state convergence checks, request-rate bounds and
// an unhandled-rejection trap.
import assert from 'node:assert/strict';
import { CoreV1Api, type KubeConfig, type V1Pod, type V1Secret } from '@kubernetes/client-node';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { backoffBaseDelay } from '../../src/reflector/backoff.ts';
import { createClient, isNotFound, newWatchingSecretManager, type ClientOptions, type KubeClient, type SecretManager } from '../../src/index.ts';
import type { ReflectorError } from '../../src/reflector/reflector.ts';
import { countingClient, type RequestCounts } from '../../src/cli/counting-client.ts';
import { FakeClock } from '../../src/testing.ts';
import { eventually } from '../helpers/eventually.ts';

export const ns = 'shop';

/** The backoff cap (30 s) stretched by the largest jitter (x2): the longest wait between two attempts of one reflector. */
export const maxBackoffWaitMs = 60_000;
/** Fake time a list and a watch may take while the clock is stepped 250 ms per few ms of real time. */
export const oneListMs = 10_000;
/** What every fault test promises: converged within the longest backoff wait plus one list after the faults stop. */
export const convergenceBoundMs = maxBackoffWaitMs + oneListMs;

/**
 * The most list-and-watch attempts one reflector can start in `windowMs`:
 * one at once, then one after each backoff wait, and the waits are at least
 * 800, 1_600, 3_200, ... 30_000 ms (jitter only lengthens them).
 */
export function maxAttempts(windowMs: number): number {
  let attempts = 1;
  for (let elapsed = 0, step = 0; ; step++) {
    elapsed += backoffBaseDelay(step);
    if (elapsed > windowMs) return attempts;
    attempts++;
  }
}

/** Prints a measured figure when RELIABILITY_DEBUG is set (the numbers in RELIABILITY.md come from it). */
export function note(message: string): void {
  if (process.env['RELIABILITY_DEBUG'] !== undefined) console.log(`  [measured] ${message}`);
}

/** A pod that references `names` as secret volumes. */
export function secretPod(name: string, uid: string, names: string[]): V1Pod {
  return {
    metadata: { namespace: ns, name, uid },
    spec: { containers: [{ name: 'app' }], volumes: names.map((n) => ({ name: n, secret: { secretName: n } })) },
  };
}

/** client-node as the writer; it refuses plain http:// unless told to skip TLS verification. */
export function writer(kc: KubeConfig): CoreV1Api {
  const cluster = kc.getCurrentCluster();
  if (cluster !== null && cluster.server.startsWith('http:')) {
    kc.clusters = kc.clusters.map((c) => (c.name === cluster.name ? { ...c, skipTLSVerify: true } : c));
  }
  return kc.makeApiClient(CoreV1Api);
}

/** Creates the namespace and `names` as secrets holding `value`. */
export async function seed(core: CoreV1Api, names: string[], value: string): Promise<void> {
  await core.createNamespace({ body: { metadata: { name: ns } } });
  for (const name of names) await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name }, stringData: { v: value } } });
}

export function decodeV(secret: V1Secret): string {
  return Buffer.from(secret.data?.['v'] ?? '', 'base64').toString();
}

/** Records every unhandled rejection from now on; check() asserts there was none and stops recording. */
export function trapUnhandledRejections(): { check(): void } {
  const seen: unknown[] = [];
  const listener = (reason: unknown): void => {
    seen.push(reason);
  };
  process.on('unhandledRejection', listener);
  return {
    check() {
      process.off('unhandledRejection', listener);
      assert.deepEqual(seen.map(String), [], 'no unhandled rejection');
    },
  };
}

/**
 * A watching secret manager on a FakeClock whose client also runs on it,
 * with every get() checked: an object's resourceVersion never goes back
 * across the whole test (monotonic reads).
 */
export class WatchedSecrets {
  readonly clock = new FakeClock();
  readonly client: KubeClient;
  readonly manager: SecretManager;
  readonly errors: ReflectorError[] = [];
  /** get, list and watch calls the manager made (whether or not the server answered). */
  readonly counts: RequestCounts;
  readonly #controller = new AbortController();
  readonly #highest = new Map<string, bigint>();

  constructor(kc: KubeConfig, clientOptions: ClientOptions = {}) {
    this.client = createClient(kc, { clock: this.clock, ...clientOptions });
    const counting = countingClient(this.client);
    this.counts = counting.counts;
    this.manager = newWatchingSecretManager(counting.client, 60_000, {
      clock: this.clock,
      signal: this.#controller.signal,
      onError: (error) => this.errors.push(error),
    });
  }

  /** getSecret, asserting the resourceVersion is not older than any returned before for that name. */
  async get(name: string): Promise<V1Secret> {
    const secret = await this.manager.getSecret(ns, name);
    const rv = BigInt(secret.metadata?.resourceVersion ?? '-1');
    const prev = this.#highest.get(name);
    assert.ok(prev === undefined || rv >= prev, `get("${name}") went back from resourceVersion ${String(prev)} to ${rv}`);
    this.#highest.set(name, rv);
    return secret;
  }

  /**
   * Steps the fake clock 250 ms at a time (5 ms of real time between steps)
   * until every name reads as the server holds it (same resourceVersion, or
   * NotFound for both); fails with the last difference once `boundMs` of fake
   * time passed without that. Real time only limits the test as a whole.
   */
  async converge(core: CoreV1Api, names: string[], boundMs: number): Promise<number> {
    const start = this.clock.now();
    for (;;) {
      try {
        for (const name of names) {
          const truth = await core.readNamespacedSecret({ namespace: ns, name }).catch((err: unknown) => {
            if ((err as { code?: number }).code === 404) return undefined;
            throw err;
          });
          const held = await this.get(name).catch((err: unknown) => {
            if (isNotFound(err)) return undefined;
            throw err;
          });
          assert.equal(held?.metadata?.resourceVersion, truth?.metadata?.resourceVersion, `"${name}" converged`);
        }
        break;
      } catch (err) {
        if (this.clock.now() - start > boundMs) {
          throw new Error(`not converged within ${boundMs} ms of fake time: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
      }
      this.clock.step(250);
      await new Promise<void>((resolve) => setTimeout(resolve, 5));
    }
    const took = this.clock.now() - start;
    note(`converged in ${took} ms of fake time (bound ${boundMs})`);
    return took;
  }

  /** Moves the fake clock by `fakeMs` in 250 ms steps, letting real I/O run 2 ms between steps. */
  async runFor(fakeMs: number): Promise<void> {
    for (let t = 0; t < fakeMs; t += 250) {
      this.clock.step(250);
      await new Promise<void>((resolve) => setTimeout(resolve, 2));
    }
  }

  /**
   * Unregisters the pods and checks that this alone releases everything: no
   * entry, and once the client's idle-connection timeout (90 s) passes, no
   * connection. Then stops the manager and closes the client.
   */
  async close(pods: V1Pod[]): Promise<void> {
    for (const pod of pods) this.manager.unregisterPod(pod);
    assert.deepEqual(this.manager.entries(), [], 'nothing registered after unregistering every pod');
    await eventually(() => assert.equal(this.client.stats().streams, 0, 'no stream left after unregistering every pod'));
    this.clock.step(91_000);
    await eventually(() => assert.equal(this.client.stats().connections, 0, 'idle connections closed after unregistering every pod'));
    this.#controller.abort();
    await this.client.close();
    assert.equal(this.client.stats().connections, 0, 'no connection left');
  }

  /** Whether some recovered error has, somewhere in its cause chain, an error matching `test`. */
  sawError(test: (err: unknown) => boolean): boolean {
    return this.errors.some((e) => {
      for (let c: unknown = e, depth = 0; c !== undefined && c !== null && depth < 8; c = (c as Error).cause, depth++) if (test(c)) return true;
      return false;
    });
  }
}

/** list + watch requests for secrets the server has answered so far. */
export function listWatchRequests(server: ApiServer): number {
  const r = server.metrics().requests;
  return (r['list secrets'] ?? 0) + (r['watch secrets'] ?? 0);
}

/** Waits until the server has no watch and no connection open. */
export async function serverIdle(server: ApiServer): Promise<void> {
  await eventually(() => {
    const m = server.metrics();
    assert.equal(m.activeWatches, 0, 'no watch left on the server');
    assert.equal(m.openConnections, 0, 'no connection left on the server');
  });
}
