import { it } from 'node:test';
import { notApplicable, type Capability, type ScenarioServer } from './server.ts';

/** One behaviour checked the same way against every server. */
export interface Scenario {
  /** Also its row in CONFORMANCE.md. */
  readonly name: string;
  readonly needs?: readonly Capability[];
  /** Upper bound on the whole scenario (its waits are bounded too). @default 60_000 */
  readonly timeoutMs?: number;
  run(server: ScenarioServer): Promise<void>;
}

/**
 * Declares one test per scenario against the server `get` returns once the
 * suite's before() hook has started it. A scenario needing what the server
 * lacks is reported as skipped with the reason (never silently dropped).
 */
export function declareScenarios(serverName: string, capabilities: ReadonlySet<Capability>, get: () => ScenarioServer, scenarios: readonly Scenario[]): void {
  for (const scenario of scenarios) {
    const missing = scenario.needs?.find((need) => !capabilities.has(need));
    const skip = missing === undefined ? false : notApplicable[missing](serverName);
    it(scenario.name, { skip, timeout: scenario.timeoutMs ?? 60_000 }, () => scenario.run(get()));
  }
}
