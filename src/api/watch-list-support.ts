/**
 * What one client has learned about its server's WatchList (a watch with
 * `sendInitialEvents=true`, kube-apiserver's streaming list), shared by
 * every reflector that watches through the client:
 *
 * - unknown: nothing answered yet. The first reflector to sync probes (sends
 *   a WatchList request); reflectors that start while the probe is out wait
 *   for its answer instead of sending one each, so a start-up of 10,000
 *   watches against a server without WatchList costs one refused request,
 *   not 10,000.
 * - served: a WatchList request was answered 200; every reflector syncs with
 *   one.
 * - refused: the server answered 422 Invalid or 400 BadRequest (the feature
 *   gate is off, or the server predates WatchList: v1.19 to v1.26 refuse
 *   resourceVersionMatch on a watch). Every reflector lists, then watches,
 *   for the life of the client.
 *
 * A probe that fails without a verdict (a 403, a 5xx, a broken connection)
 * releases the waiting reflectors, which then try WatchList themselves; one
 * given up (its reflector stopped) hands the probe to one of them.
 */
export class WatchListSupport {
  #state: 'unknown' | 'served' | 'refused' = 'unknown';
  #refusal: string | undefined;
  /** Set while a probe is out: resolves when it ends. */
  #probe: Probe | undefined;

  get state(): 'unknown' | 'served' | 'refused' {
    return this.#state;
  }

  /** The server's message when it refused WatchList (never object data). */
  get refusal(): string | undefined {
    return this.#refusal;
  }

  /**
   * How a reflector syncs now: 'list' once the server refused; 'probe' for
   * the first one while nothing is known (it must call endProbe() when its
   * request is answered or fails); otherwise, after waiting out a probe in
   * flight, 'watch-list'. Resolves 'list' at once when `signal` aborts.
   */
  async begin(signal: AbortSignal): Promise<'watch-list' | 'probe' | 'list'> {
    for (;;) {
      if (this.#state === 'unknown' && this.#probe === undefined) {
        let end = (): void => undefined;
        const done = new Promise<void>((resolve) => {
          end = resolve;
        });
        this.#probe = { done, end, abandoned: false };
        return 'probe';
      }
      const probe = this.#probe;
      if (probe === undefined) break;
      await waitFor(probe.done, signal);
      if (signal.aborted || !probe.abandoned) break;
    }
    return this.#state === 'refused' ? 'list' : 'watch-list';
  }

  /** A WatchList request was answered 200. */
  served(): void {
    if (this.#state === 'unknown') this.#state = 'served';
    this.endProbe();
  }

  /** A WatchList request was refused (422 or 400): `reason` is the server's message. */
  refused(reason: string): void {
    this.#state = 'refused';
    this.#refusal = reason;
    this.endProbe();
  }

  /**
   * Ends the probe in flight (idempotent): 'failed' (answered without a
   * verdict) lets the waiting reflectors try WatchList themselves,
   * 'abandoned' (the prober stopped before an answer) lets one of them probe.
   */
  endProbe(how: 'failed' | 'abandoned' = 'failed'): void {
    const probe = this.#probe;
    if (probe === undefined) return;
    this.#probe = undefined;
    probe.abandoned = how === 'abandoned';
    probe.end();
  }
}

interface Probe {
  readonly done: Promise<void>;
  readonly end: () => void;
  abandoned: boolean;
}

function waitFor(done: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const finish = (): void => {
      signal.removeEventListener('abort', finish);
      resolve();
    };
    signal.addEventListener('abort', finish, { once: true });
    void done.then(finish);
  });
}
