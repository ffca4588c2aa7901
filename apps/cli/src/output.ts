import { WorkflowValidationError, isBudflowError } from '@budflow/node-sdk';
import { createSpinner } from 'nanospinner';

/** Exit codes of the `budflow` command (documented in the README). */
export const EXIT = {
  OK: 0,
  /** The execution ran and failed, or validation found problems. */
  FAILED: 1,
  /** Bad usage: unknown command or option, unreadable or malformed file, bad argument. */
  USAGE: 2,
  /** The workflow, execution, credential or user named does not exist. */
  NOT_FOUND: 3,
  /** The server (`BUDFLOW_URL`) cannot be reached or reports itself unhealthy. */
  UNAVAILABLE: 4,
  /** The server refused the API key (or none was given). */
  UNAUTHORIZED: 5,
  /** Already exists (import without `--overwrite`, `user create` with a taken email). */
  CONFLICT: 6,
  /** Interrupted (Ctrl-C). */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends the command with a given exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.FAILED,
  ) {
    super(message);
  }
}

/** The exit code an error deserves. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof WorkflowValidationError) return EXIT.FAILED;
  if (isBudflowError(error)) {
    const code = error.code;
    if (code === 'FILE_NOT_READABLE' || code === 'FILE_NOT_JSON') return EXIT.USAGE;
    if (code.endsWith('NOT_FOUND')) return EXIT.NOT_FOUND;
    if (code.endsWith('CONFLICT')) return EXIT.CONFLICT;
  }
  const name = (error as { name?: string } | null)?.name;
  if (name === 'StorageNotFoundError') return EXIT.NOT_FOUND;
  if (name === 'StorageConflictError') return EXIT.CONFLICT;
  return EXIT.FAILED;
}

export function printError(error: unknown): void {
  if (error instanceof WorkflowValidationError || error instanceof CliError) {
    process.stderr.write(`${error.message}\n`);
    return;
  }
  if (isBudflowError(error)) {
    process.stderr.write(`error [${error.code}]: ${error.message}\n`);
    return;
  }
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
}

/** Prints the error and sets the exit code it deserves. */
export function fail(error: unknown): void {
  printError(error);
  process.exitCode = exitCodeOf(error);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Prints rows as aligned columns. */
export function printTable(rows: ReadonlyArray<Record<string, unknown>>, columns: string[]): void {
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  printLine(line(columns.map((c) => c.toUpperCase())));
  for (const row of rows) printLine(line(columns.map((c) => cell(row[c]))));
}

export interface Progress {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  stop(): void;
}

/**
 * Progress on stderr: a spinner on a terminal, plain lines otherwise (CI logs, pipes), nothing
 * with `--json` so stdout stays machine-readable and stderr quiet.
 */
export function createProgress(text: string, options: { quiet?: boolean } = {}): Progress {
  if (options.quiet) return { update() {}, succeed() {}, fail() {}, stop() {} };
  // A terminal of unknown width (0 columns) makes the spinner's redraw math run away.
  if (process.stderr.isTTY && (process.stderr.columns ?? 0) > 0 && !process.env.CI) {
    const spinner = createSpinner(text, { stream: process.stderr }).start();
    return {
      update: (t) => void spinner.update({ text: t }),
      succeed: (t) => void spinner.success({ text: t }),
      fail: (t) => void spinner.error({ text: t }),
      stop: () => void spinner.stop(),
    };
  }
  process.stderr.write(`${text}\n`);
  return {
    update: (t) => void process.stderr.write(`${t}\n`),
    succeed: (t) => void process.stderr.write(`${t}\n`),
    fail: (t) => void process.stderr.write(`${t}\n`),
    stop() {},
  };
}
