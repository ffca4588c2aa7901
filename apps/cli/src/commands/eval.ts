import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import {
  createExpressionEvaluator,
  createSingleItemScope,
  evaluateCases,
  toPrintable,
} from '@budflow/expression';
import { isJsonObject, type JsonObject } from '@budflow/node-sdk';
import { CliError, EXIT, fail } from '../output.js';

interface EvalOptions {
  json?: string;
  cases?: string;
  tz: string;
}

function parseItemJson(text: string | undefined): JsonObject {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(`--json is not valid JSON: ${(error as Error).message}`, EXIT.USAGE);
  }
  if (!isJsonObject(parsed))
    throw new CliError('--json must be a JSON object (the item json)', EXIT.USAGE);
  return parsed;
}

function checkZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new CliError(`--tz: unknown time zone '${zone}'`, EXIT.USAGE);
  }
}

/**
 * `budflow eval`: evaluates n8n expressions the way a node's parameter would be, as the current item
 * of a one-node manual run (run 0, item 0), in UTC unless `--tz` says otherwise.
 */
export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('evaluate an n8n expression, or a JSONL file of cases, in the BudFlow sandbox')
    .argument('[expression]', "template such as '={{ $json.a + 1 }}'")
    .option('--json <json>', 'the item json the expression sees as $json (default {})')
    .option(
      '--cases <file>',
      'JSONL file of {"id", "expression", "json"}: one JSON result line per case',
    )
    .option('--tz <zone>', 'workflow time zone for $now, $today and Luxon', 'UTC')
    .addHelpText(
      'after',
      `
Examples:
  budflow eval '={{ $json.a + 1 }}' --json '{"a": 1}'
  budflow eval --cases cases.jsonl --tz Europe/Berlin

A case prints {"id", "value"} (plus "valueType" for undefined, NaN, Infinity, Date and DateTime,
whose value is null or an ISO string) or {"id", "error": {"code", "message"}}.`,
    )
    .action(async (expression: string | undefined, options: EvalOptions) => {
      const evaluator = createExpressionEvaluator();
      try {
        checkZone(options.tz);
        if (options.cases !== undefined) {
          if (expression !== undefined)
            throw new CliError('give either an expression or --cases, not both', EXIT.USAGE);
          try {
            await access(options.cases);
          } catch {
            throw new CliError(`cannot read ${options.cases}`, EXIT.USAGE);
          }
          const lines = createInterface({
            input: createReadStream(options.cases, 'utf8'),
            crlfDelay: Infinity,
          });
          for await (const result of evaluateCases(evaluator, lines, { timezone: options.tz }))
            process.stdout.write(`${JSON.stringify(result)}\n`);
          return;
        }
        if (expression === undefined)
          throw new CliError(
            "give an expression, e.g. budflow eval '={{ 1 + 1 }}', or --cases FILE",
            EXIT.USAGE,
          );
        const scope = createSingleItemScope({
          json: parseItemJson(options.json),
          timezone: options.tz,
        });
        const printable = toPrintable(await evaluator.evaluate(expression, scope, 0));
        const special = ['undefined', 'NaN', 'Infinity', '-Infinity'];
        process.stdout.write(
          `${printable.valueType !== undefined && special.includes(printable.valueType) ? printable.valueType : JSON.stringify(printable.value, null, 2)}\n`,
        );
      } catch (error) {
        fail(error);
      } finally {
        await evaluator.close();
      }
    });
}
