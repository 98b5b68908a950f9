/**
 * Command-line plumbing every command shares: exit codes, usage errors, help,
 * argument parsing, JSON-line output. Kept free of heavy imports (no
 * onnxruntime), so `model-download` starts fast.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exit codes: 0 all succeeded (or help was asked for), 1 some item failed, 2 the command line was wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `--help` or `-h`: not an error, but it ends the command before it does anything. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
  constructor(readonly usage: string) {
    super(usage);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Every command takes `--help`/`-h`. It is looked for before the strict
 * parse, so that a help request never meets a parser complaint about the
 * rest of the line; `--` ends the options, so `embed-text -- -h` embeds "-h".
 */
export function parseCommandArgs<T extends Options>(args: string[], options: T, usage: string) {
  const optionArgs = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  if (optionArgs.includes('--help') || optionArgs.includes('-h')) throw new HelpRequested(usage);
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
}

/**
 * What a command line ends with when it went no further than its arguments:
 * help on stdout (exit 0), a usage error on stderr (exit 2).
 */
export function reportCommandLine(err: unknown): number {
  if (err instanceof HelpRequested) {
    process.stdout.write(`${err.usage}\n`);
    return EXIT.ok;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`sightline: ${err.message}\n`);
    return EXIT.usage;
  }
  throw err;
}

export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
