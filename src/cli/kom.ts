#!/usr/bin/env node
// kom: the command line of kube-object-manager. Wiring only: each command
// lives in its own module and answers an exit code.
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError, processIo, type Io } from './io.ts';

const usage = `Usage: kom <command> [options]

Commands:
  demo        the three strategies side by side on the embedded API server (npm start):
              simple (a GET per access), caching (a TTL cache), watching (a watch per object)
  agent       keep the secrets and configmaps of one node's pods, with /metrics and /objects
  refs        list the secrets and configmaps manifests reference (--check: do they exist?)
  apiserver   run the embedded Kubernetes API server and write a kubeconfig

Options:
  -v, --version   print kom's version (the package's)
  -h, --help      this help

Run 'kom <command> --help' for a command's options.
Exit codes: 0 done, 1 failed, 2 bad usage (and 3 from kom refs --check: a
required reference is missing).`;

// Loaded on use, so that `kom --help` does not pay for every command's imports.
const commands: Record<string, (args: string[], io: Io) => Promise<number>> = {
  demo: async (args, io) => (await import('./demo.ts')).runDemo(args, io),
  apiserver: async (args) => (await import('./apiserver-command.ts')).runApiServerCommand(args),
  agent: async (args, io) => (await import('./agent.ts')).runAgent(args, io),
  refs: async (args, io) => (await import('./refs.ts')).runRefs(args, io),
};

/** Runs kom with `argv` (without node and script); answers the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  // Before any command's imports (undici crashes on load on older Node.js):
  // kom's static imports are node: builtins and io.ts only.
  try {
    await import('../util/node-version.ts');
  } catch (err) {
    io.err(err instanceof Error ? err.message : String(err));
    return 1;
  }
  const [name, ...args] = argv;
  if (name === '--version' || name === '-v') {
    io.out(packageVersion());
    return 0;
  }
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.out(usage);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    io.err(`kom: unknown command ${JSON.stringify(name)}\n\n${usage}`);
    return 2;
  }
  try {
    return await command(args, io);
  } catch (err) {
    if (err instanceof CliError || isParseArgsError(err)) {
      io.err(`kom ${name}: ${(err as Error).message}\nRun 'kom ${name} --help' for usage.`);
      return 2;
    }
    io.err(`kom ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

/** The version in the package.json of the package this file belongs to (src/cli/ and dist/cli/ are two folders down). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** Whether this module is the process's entry point (import.meta.main is Node >= 24.2 only). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await main(process.argv.slice(2));
}
