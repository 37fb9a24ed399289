// The table printed by the differential test and kept in CONFORMANCE.md.
import type { Accepted } from './accepted.ts';
import { globMatch, type Difference } from './compare.ts';
import type { CaseResult } from './runner.ts';

export interface Judged {
  result: CaseResult;
  /** Differences no accepted entry covers. */
  unexplained: Difference[];
  /** Ids of the accepted entries that covered a difference of this case. */
  acceptedIds: Set<string>;
}

export function judge(result: CaseResult, accepted: Accepted[]): Judged {
  const unexplained: Difference[] = [];
  const acceptedIds = new Set<string>();
  for (const diff of result.differences) {
    const entry = accepted.find((a) => a.cases.some((c) => globMatch(c, result.id)) && a.paths.some((p) => globMatch(p, diff.path)));
    if (entry === undefined) unexplained.push(diff);
    else acceptedIds.add(entry.id);
  }
  return { result, unexplained, acceptedIds };
}

export function summaryTable(judged: Judged[]): string {
  const topics = new Map<string, { cases: number; identical: number; accepted: number; pendingOnly: number; unexplained: number; ids: Set<string> }>();
  for (const j of judged) {
    let row = topics.get(j.result.topic);
    if (row === undefined) {
      row = { cases: 0, identical: 0, accepted: 0, pendingOnly: 0, unexplained: 0, ids: new Set() };
      topics.set(j.result.topic, row);
    }
    row.cases++;
    if (j.result.differences.length === 0) row.identical++;
    else if (j.unexplained.length === 0) {
      row.accepted++;
      if ([...j.acceptedIds].every((id) => id.startsWith('pending-'))) row.pendingOnly++;
    }
    else row.unexplained++;
    for (const id of j.acceptedIds) row.ids.add(id);
  }
  const lines = [
    '| topic | cases | identical | with accepted differences | of which only pending ones | unexplained | accepted ids |',
    '|---|---|---|---|---|---|---|',
  ];
  const total = { cases: 0, identical: 0, accepted: 0, pendingOnly: 0, unexplained: 0 };
  for (const [topic, row] of topics) {
    lines.push(`| ${topic} | ${row.cases} | ${row.identical} | ${row.accepted} | ${row.pendingOnly} | ${row.unexplained} | ${[...row.ids].sort().join(', ')} |`);
    total.cases += row.cases;
    total.identical += row.identical;
    total.accepted += row.accepted;
    total.unexplained += row.unexplained;
    total.pendingOnly += row.pendingOnly;
  }
  lines.push(`| **all** | **${total.cases}** | **${total.identical}** | **${total.accepted}** | **${total.pendingOnly}** | **${total.unexplained}** | |`);
  return lines.join('\n');
}
