import assert from 'node:assert/strict';

/**
 * The ```ts block of a README that follows its `<!-- example: NAME` marker,
 * so that tests run the README's own text instead of a copy of it. Fails
 * with an assertion naming what is missing.
 */
export function readmeExample(readme: string, name: string): string {
  const marker = readme.indexOf(`<!-- example: ${name}`);
  assert.notEqual(marker, -1, `the README has no "<!-- example: ${name}" marker`);
  const block = /```ts\n([^]*?)\n```/.exec(readme.slice(marker));
  assert.ok(block?.[1] !== undefined, `the README has no \`\`\`ts block after its "${name}" marker`);
  return `${block[1]}\n`;
}
