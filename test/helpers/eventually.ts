/**
 * Waits until `check` passes, for conditions that depend on real I/O (a
 * watch event crossing a socket). It re-checks after each short pause and
 * fails with the last assertion error after `timeoutMs`. Logic timers are
 * never waited on this way: those are driven by FakeClock.
 */
export async function eventually<T>(check: () => T | Promise<T>, options: { timeoutMs?: number; onRetry?: () => void } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    options.onRetry?.();
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
  }
}
