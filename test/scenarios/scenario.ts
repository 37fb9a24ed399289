import { describe, it } from 'node:test';
import { notApplicable, type Capability, type ScenarioServer } from './server.ts';

/** One behaviour checked the same way against every server. */
export interface Scenario {
  /** Also its row in CONFORMANCE.md. */
  readonly name: string;
  readonly needs?: readonly Capability[];
  /** It disturbs every client of the server (a restart, a compaction): it runs alone, after the others. */
  readonly exclusive?: boolean;
  /** Upper bound on the whole scenario (its waits are bounded too). @default 60_000 */
  readonly timeoutMs?: number;
  run(server: ScenarioServer): Promise<void>;
}

/**
 * Declares one test per scenario against the server `serverFor` returns once
 * the suite's before() hook has started it. Scenarios use namespaces and
 * clients of their own, so they run side by side; exclusive ones run alone
 * afterwards. A scenario needing what the server lacks is reported as
 * skipped with the reason (never silently dropped).
 */
export function declareScenarios(
  serverName: string,
  capabilities: ReadonlySet<Capability>,
  serverFor: (scenario: Scenario) => ScenarioServer,
  scenarios: readonly Scenario[],
): void {
  const declare = (scenario: Scenario): void => {
    const missing = scenario.needs?.find((need) => !capabilities.has(need));
    const skip = missing === undefined ? false : notApplicable[missing](serverName);
    it(scenario.name, { skip, timeout: scenario.timeoutMs ?? 60_000 }, () => scenario.run(serverFor(scenario)));
  };
  describe('side by side', { concurrency: true }, () => {
    for (const scenario of scenarios) if (scenario.exclusive !== true) declare(scenario);
  });
  describe('alone', () => {
    for (const scenario of scenarios) if (scenario.exclusive === true) declare(scenario);
  });
}
