import { CliError } from './io.ts';

/**
 * The three strategies of the kubelet's secret and configmap managers, by the
 * names of the factories (newSimple…Manager, newCaching…Manager,
 * newWatching…Manager), each with what it does in a few words. kom names
 * both wherever it names a strategy.
 */
export const strategies = {
  simple: 'a GET per access',
  caching: 'a TTL cache',
  watching: 'a watch per object',
} as const;

export type StrategyName = keyof typeof strategies;

/** The names kom 0.1 gave the strategies, still accepted by --strategy. */
export const strategyAliases: Readonly<Record<string, StrategyName>> = { get: 'simple', ttl: 'caching', watch: 'watching' };

/** "watching (a watch per object)": a strategy as kom prints it. */
export function describeStrategy(name: StrategyName): string {
  return `${name} (${strategies[name]})`;
}

/**
 * A --strategy value: one of the strategies' names or an alias of one; a
 * CliError naming the accepted values otherwise.
 */
export function parseStrategy(value: string): StrategyName {
  if (Object.hasOwn(strategies, value)) return value as StrategyName;
  const alias = Object.hasOwn(strategyAliases, value) ? strategyAliases[value] : undefined;
  if (alias !== undefined) return alias;
  throw new CliError(`--strategy must be watching, caching or simple (or kom 0.1's watch, ttl, get), got ${JSON.stringify(value)}`);
}
