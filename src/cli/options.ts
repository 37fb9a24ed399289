import { CliError } from './io.ts';

/**
 * A numeric flag's value: `fallback` when absent; otherwise a number within
 * [min, max] (an integer for 'integer') or a CliError naming the flag, the
 * accepted range and what was given.
 */
export function numberOption(value: string | undefined, name: string, fallback: number, min: number, max: number, kind: 'integer' | 'seconds'): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  const valid = value.trim() !== '' && Number.isFinite(n) && n >= min && n <= max && (kind === 'seconds' || Number.isInteger(n));
  if (!valid) {
    const what = kind === 'integer' ? 'an integer' : 'a number of seconds';
    throw new CliError(`--${name} must be ${what} from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}
