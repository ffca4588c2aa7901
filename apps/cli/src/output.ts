import { WorkflowValidationError, isBudflowError } from '@budflow/node-sdk';

/** Exit codes of the `budflow` command (documented in the README). */
export const EXIT = {
  OK: 0,
  /** The execution ran and failed, or validation found problems. */
  FAILED: 1,
  /** Bad usage: unknown command or option, unreadable file. */
  USAGE: 2,
} as const;

export function printError(error: unknown): void {
  if (error instanceof WorkflowValidationError) {
    process.stderr.write(`${error.message}\n`);
    return;
  }
  if (isBudflowError(error)) {
    process.stderr.write(`error [${error.code}]: ${error.message}\n`);
    return;
  }
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
