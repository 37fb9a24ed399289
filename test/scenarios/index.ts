// Every scenario, in the order the suites run them (and CONFORMANCE.md lists them).
import { rbacScenarios } from './rbac.ts';
import { reflectorScenarios } from './reflector.ts';
import { restartScenarios } from './restart.ts';
import type { Scenario } from './scenario.ts';
import { strategyScenarios } from './strategies.ts';
import { streamScenarios } from './streams.ts';
import { watchLifecycleScenarios } from './watch-lifecycle.ts';
import { watchListScenarios } from './watch-list.ts';

export const scenarios: readonly Scenario[] = [
  ...strategyScenarios,
  ...watchLifecycleScenarios,
  ...reflectorScenarios,
  ...restartScenarios,
  ...streamScenarios,
  ...watchListScenarios,
  ...rbacScenarios,
];
export { declareScenarios, type Scenario } from './scenario.ts';
export type { Capability, ScenarioServer } from './server.ts';
