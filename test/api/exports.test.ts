// The values each entry point of the package exports, pinned: adding or
// removing one changes the public API, so it is done here on purpose (and in
// DESIGN.md, "Public API"). Types are not listed: they cost nothing at run
// time and the type checker holds them to their declarations. Every exported
// value is documented, by a JSDoc comment on its declaration or in code
// (`name`) in the README a user reads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

interface EntryPoint {
  /** The source file the package's `exports` entry is built from. */
  source: string;
  /** The READMEs that document it. */
  readmes: string[];
  values: string[];
}

const entryPoints: Record<string, EntryPoint> = {
  '.': {
    source: 'src/index.ts',
    readmes: ['README.md'],
    values: [
      // the seed's building blocks
      'newCacheBasedManager',
      'newObjectStore',
      'getObjectTTLFromNodeFunc',
      'newObjectCache',
      'newWatchBasedManager',
      // the typed managers and the reference visitors
      'newSimpleSecretManager',
      'newCachingSecretManager',
      'newWatchingSecretManager',
      'newSimpleConfigMapManager',
      'newCachingConfigMapManager',
      'newWatchingConfigMapManager',
      'isImmutable',
      'visitPodSecretNames',
      'visitPodConfigmapNames',
      'visitPodSecretReferences',
      'visitPodConfigmapReferences',
      'getSecretNames',
      'getConfigMapNames',
      // the client
      'createClient',
      'loadKubeConfig',
      'RealClock',
      // the generic reference manager: any referrer type, three strategies
      'newSimpleReferenceManager',
      'newCachingReferenceManager',
      'newWatchingReferenceManager',
      // the list + watch loop, for watching referrers
      'Reflector',
      // errors
      'KomError',
      'MalformedResponseError',
      'WatchEndedError',
      'KubeConfigError',
      'CredentialsError',
      'NotRegisteredError',
      'CacheStoppedError',
      'SyncTimeoutError',
      'UnexpectedObjectError',
      'ReflectorError',
      'ClientClosedError',
      'ConnectionError',
      'RequestTimeoutError',
      'ResponseTooLargeError',
      'WatchDecodeError',
      'WatchStalledError',
      'StatusError',
      // the API server's Status errors: finding, making and telling them apart
      'findStatusError',
      'hasErrorCode',
      'isSourceClosed',
      'newNotFound',
      'isNotFound',
      'isAlreadyExists',
      'isConflict',
      'isGone',
      'isResourceExpired',
      'isInvalid',
      'isBadRequest',
      'isUnauthorized',
      'isForbidden',
      'isTooManyRequests',
      'isInternalError',
      'isServiceUnavailable',
      'isTimeout',
      'isServerTimeout',
      'isResourceVersionTooLarge',
    ],
  },
  './testing': {
    source: 'src/testing.ts',
    readmes: ['README.md'],
    values: ['FakeClock', 'FakeObjectSource', 'WatchStream', 'startControlPlane', 'findControlPlaneBinaries', 'hasControlPlaneBinaries'],
  },
  './apiserver': {
    source: 'src/apiserver/index.ts',
    readmes: ['README.md', 'src/apiserver/README.md'],
    values: ['startApiServer'],
  },
};

const sorted = (names: Iterable<string>): string[] => [...names].sort((a, b) => a.localeCompare(b));

for (const [entry, { source, values }] of Object.entries(entryPoints)) {
  test(`'${entry}' exports exactly the pinned values`, async () => {
    const module = (await import(new URL(source, root).href)) as Record<string, unknown>;
    assert.deepEqual(sorted(Object.keys(module)), sorted(values));
  });
}

test('package.json exports the pinned entry points, each with its types, built from its source', () => {
  const pkg = JSON.parse(read('package.json')) as { exports: Record<string, { types: string; default: string }> };
  assert.deepEqual(sorted(Object.keys(pkg.exports)), sorted(Object.keys(entryPoints)));
  for (const [entry, { source }] of Object.entries(entryPoints)) {
    const built = `./dist/${source.slice('src/'.length, -'.ts'.length)}`;
    assert.deepEqual(pkg.exports[entry], { types: `${built}.d.ts`, default: `${built}.js` }, entry);
  }
});

/**
 * Whether the declaration of `name` that `file` exports has a JSDoc comment,
 * following re-exports (`export { name } from './x.ts'`) to the declaring file.
 * Parsing only: no program, so it takes milliseconds.
 */
function hasJsDoc(file: string, name: string, seen = new Set<string>()): boolean {
  const key = `${file}#${name}`;
  if (seen.has(key)) return false;
  seen.add(key);
  const sourceFile = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const documented = (node: ts.Node): boolean => ts.getJSDocCommentsAndTags(node).some((doc) => ts.isJSDoc(doc) && doc.comment !== undefined);
  for (const statement of sourceFile.statements) {
    if (ts.isExportDeclaration(statement) && statement.exportClause !== undefined && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) {
        if (element.name.text !== name || statement.moduleSpecifier === undefined || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
        const target = fileURLToPath(new URL(statement.moduleSpecifier.text, pathToFileURL(file)));
        return hasJsDoc(target, (element.propertyName ?? element.name).getText(sourceFile), seen);
      }
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name?.text === name) {
      // An overloaded function: any of its signatures may carry the comment.
      if (documented(statement)) return true;
    } else if (ts.isVariableStatement(statement) && statement.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name)) {
      return documented(statement);
    }
  }
  return false;
}

test('every exported value is documented: a JSDoc comment on its declaration, or in code in the README', () => {
  const undocumented: string[] = [];
  for (const [entry, { source, readmes, values }] of Object.entries(entryPoints)) {
    const readme = readmes.map(read).join('\n');
    const codeBlocks = [...readme.matchAll(/```ts\n([^]*?)```/g)].map((m) => m[1]).join('\n');
    for (const name of values) {
      const inReadme = new RegExp(`\`${name}[\`(]`).test(readme) || new RegExp(`\\b${name}\\b`).test(codeBlocks);
      if (!inReadme && !hasJsDoc(fileURLToPath(new URL(source, root)), name)) undocumented.push(`${entry} ${name}`);
    }
  }
  assert.deepEqual(undocumented, []);
});
