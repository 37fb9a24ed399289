// README examples as the test suite runs them: the fenced block that follows
// `<!-- example: NAME -->` in README.md, taken as it is. importReadmeExample
// loads it as the module test/readme/NAME (never written to disk) with
// `kube-object-manager` resolved to src/index.ts, as a user's import would
// resolve to the built package; typecheckReadmeExample type-checks it with
// the project's compiler and options under the same resolution.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { registerHooks } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readmeExample as readmeBlock } from '../helpers/readme-example.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const entryPoints: Record<string, string> = {
  'kube-object-manager': join(root, 'src/index.ts'),
  'kube-object-manager/testing': join(root, 'src/testing.ts'),
  'kube-object-manager/apiserver': join(root, 'src/apiserver/index.ts'),
};

/** The code of the README block marked `<!-- example: name -->`. */
export function readmeExample(name: string): string {
  return readmeBlock(readFileSync(join(root, 'README.md'), 'utf8'), name);
}

/** Where the example is taken to live: beside this file, so that its imports resolve from the project. */
function examplePath(name: string): string {
  return join(dirname(fileURLToPath(import.meta.url)), name);
}

let hooked = false;
const sources = new Map<string, string>();

/** Imports the README block `name` as a module. */
export async function importReadmeExample<T>(name: string): Promise<T> {
  const url = pathToFileURL(examplePath(name)).href;
  sources.set(url, readmeExample(name));
  if (!hooked) {
    hooked = true;
    registerHooks({
      resolve: (specifier, context, nextResolve) => {
        if (sources.has(specifier)) return { url: specifier, shortCircuit: true };
        const entry = entryPoints[specifier];
        if (entry !== undefined) return { url: pathToFileURL(entry).href, shortCircuit: true };
        return nextResolve(specifier, context);
      },
      load: (url, context, nextLoad) => {
        const source = sources.get(url);
        if (source !== undefined) return { format: 'module-typescript', source, shortCircuit: true };
        return nextLoad(url, context);
      },
    });
  }
  return (await import(url)) as T;
}

/**
 * The compiler's diagnostics for the README block `name` (empty when it
 * type-checks): the project's tsc with the project's options, on a copy of
 * the block in a temporary folder, with the package's entry points and
 * @kubernetes/client-node resolved to this checkout.
 */
export async function typecheckReadmeExample(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kom-readme-'));
  try {
    const paths = Object.fromEntries(Object.entries(entryPoints).map(([k, v]) => [k, [v]]));
    paths['@kubernetes/client-node'] = [join(root, 'node_modules/@kubernetes/client-node/dist/index.d.ts')];
    const tsconfig = { extends: join(root, 'tsconfig.json'), compilerOptions: { paths, typeRoots: [join(root, 'node_modules/@types')] }, files: [name], include: [] };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    await writeFile(join(dir, name), readmeExample(name));
    const tsc = join(root, 'node_modules/tsc7/bin/tsc');
    return await new Promise<string>((resolve) => {
      execFile(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: root }, (_error, stdout, stderr) => resolve(`${stdout}${stderr}`));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
