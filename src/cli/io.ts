/** Where a command writes: standard output for data, standard error for progress and errors. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** A user error (bad flag, unreadable file): printed without a stack, exit code 2. */
export class CliError extends Error {
  override readonly name = 'CliError';
}
