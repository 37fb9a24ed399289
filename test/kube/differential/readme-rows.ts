// Prints the rows of the table "Differences found by the differential corpus"
// in src/apiserver/README.md from accepted.ts:
//   node test/kube/differential/readme-rows.ts
import { accepted } from './accepted.ts';

const cell = (text: string): string => text.replace(/\|/g, '\\|');
for (const a of accepted) console.log(`| \`${a.id}\` | ${a.cases.map((c) => `\`${c}\``).join(', ')} | ${cell(a.reason)} |`);
