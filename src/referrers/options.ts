// The options of the three strategies. Each option is declared once, with its
// documentation, in the interface of its concern (ClockOptions, TtlOptions,
// CacheBasedManagerOptions, ObjectWatchOptions, ObjectCacheOptions); a
// strategy's options are the concerns it uses, and every other strategy's
// option is typed `never` for it, so passing an option a strategy would
// ignore does not compile (object literal or not). checkStrategyOptions
// refuses the same at run time, for callers in JavaScript.
import type { CacheBasedManagerOptions } from '../manager/cache-based-manager.ts';
import type { ObjectCacheOptions, ObjectWatchOptions } from '../manager/object-cache.ts';
import type { GetObjectTTLFunc } from '../manager/types.ts';
import type { ClockOptions } from '../util/clock.ts';
import { describeValue } from '../util/object-names.ts';

/** How long the caching strategy keeps a fetched copy. */
export interface TtlOptions {
  /**
   * The TTL in force, asked whenever a held copy is read (for a node's
   * `node.alpha.kubernetes.io/ttl` annotation: getObjectTTLFromNodeFunc);
   * an answer of undefined means `ttlMs`.
   */
  getTTL?: GetObjectTTLFunc;
  /** The TTL when getTTL gives none, in [0, 2^31-1] ms. @default 60_000 (the kubelet's) */
  ttlMs?: number;
}

/** What the caching strategy uses: a clock, the TTL, and what re-registering refreshes. */
export type CachingFields = ClockOptions & TtlOptions & CacheBasedManagerOptions;

/** What the watching strategy uses: a clock, how watches stop, report and are waited for, when they idle, and what is immutable. */
export type WatchingFields = ClockOptions & ObjectWatchOptions & Partial<Pick<ObjectCacheOptions, 'maxIdleTimeMs' | 'isImmutable'>>;

/** The name of every option of any strategy. */
export type StrategyOptionName = keyof CachingFields | keyof WatchingFields;

/** `Fields`, with every other strategy's option typed never: passing one is a compile error even from a variable. */
export type StrategyOptions<Fields> = Fields & { readonly [K in Exclude<StrategyOptionName, keyof Fields>]?: never };

/** The simple strategy takes no option: it holds nothing and reads nothing but the server. */
export type SimpleReferenceManagerOptions = StrategyOptions<Record<never, never>>;
/** newCachingReferenceManager's options. */
export type CachingReferenceManagerOptions = StrategyOptions<CachingFields>;
/** newWatchingReferenceManager's options. */
export type WatchingReferenceManagerOptions = StrategyOptions<WatchingFields>;

/** The caching Secret and ConfigMap managers' options (their TTL comes from their getTTL argument and the kubelet's default). */
export type CachingManagerOptions = StrategyOptions<Pick<CachingFields, 'clock' | 'refreshOnReRegister'>>;
/** The watching Secret and ConfigMap managers' options (their idle time comes from their resyncIntervalMs argument). */
export type WatchingManagerOptions = StrategyOptions<Pick<WatchingFields, 'clock' | 'signal' | 'onError' | 'syncTimeoutMs'>>;

/** The names a strategy takes, as a record so that the compiler checks it lists every field and no other. */
export type OptionNames<Fields> = Readonly<Record<keyof Fields, true>>;

export const simpleOptionNames: OptionNames<Record<never, never>> = {};
export const cachingOptionNames: OptionNames<CachingFields> = { clock: true, getTTL: true, ttlMs: true, refreshOnReRegister: true };
export const watchingOptionNames: OptionNames<WatchingFields> = {
  clock: true,
  signal: true,
  onError: true,
  syncTimeoutMs: true,
  maxIdleTimeMs: true,
  isImmutable: true,
};
export const cachingManagerOptionNames: OptionNames<Pick<CachingFields, 'clock' | 'refreshOnReRegister'>> = { clock: true, refreshOnReRegister: true };
export const watchingManagerOptionNames: OptionNames<Pick<WatchingFields, 'clock' | 'signal' | 'onError' | 'syncTimeoutMs'>> = {
  clock: true,
  signal: true,
  onError: true,
  syncTimeoutMs: true,
};

/**
 * The options object a factory (`what`) was given, checked: undefined is
 * `{}`; anything but an object is a TypeError; so is an option the strategy
 * would ignore (another strategy's, or no strategy's: a typo), named. An
 * option whose value is undefined counts as absent.
 */
export function checkStrategyOptions<Fields>(what: string, strategy: string, options: unknown, names: OptionNames<Fields>): Partial<Fields> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${what}: options must be an object, got ${Array.isArray(options) ? 'an array' : describeValue(options)}`);
  }
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined || Object.hasOwn(names, name)) continue;
    const taken = Object.keys(names);
    const takes = taken.length === 0 ? 'it takes no options' : `it takes ${taken.join(', ')}`;
    throw new TypeError(`${what}: option ${describeValue(name)} is not used by the ${strategy} strategy (${takes})`);
  }
  return options;
}
