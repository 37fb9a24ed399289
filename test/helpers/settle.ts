/**
 * Lets pending promise chains run to their next wait: a few turns of the
 * event loop, no timers. Used after FakeClock.step() and after changes to a
 * fake source, since reflectors react asynchronously.
 */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
