import type { Command } from 'commander';
import { runWorkflow, type RunWorkflowResult } from '@budflow/core';
import type { Item, JsonObject } from '@budflow/node-sdk';
import { defaultEvaluator } from '../evaluator.js';
import { defaultRegistry } from '../registry.js';
import { EXIT, printError, printJson } from '../output.js';
import { readJsonArgument, readWorkflowFile } from '../workflow-file.js';

interface RunOptions {
  json?: boolean;
  input?: string;
  to?: string;
  pin?: string[];
  tz?: string;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description("run a workflow file and print each node's output items")
    .argument('<file>', 'workflow file (n8n JSON)')
    .option('--input <json|@file>', 'items for the start node (an object or an array of objects)')
    .option('--to <node>', 'run only up to this node (partial execution)')
    .option(
      '--pin <node=@file>',
      'pin a node output (repeatable)',
      (v: string, all: string[] = []) => [...all, v],
    )
    .option('--tz <zone>', 'timezone for $now/$today when the workflow sets none')
    .option('--json', 'print the full run data as JSON')
    .action(async (file: string, options: RunOptions) => {
      try {
        const workflow = await readWorkflowFile(file);
        const input =
          options.input === undefined ? undefined : toItems(await readJsonArgument(options.input));
        const pinData: Record<string, Item[]> = {};
        for (const spec of options.pin ?? []) {
          const at = spec.indexOf('=');
          if (at < 1) throw new Error(`--pin expects node=@file or node=json, got '${spec}'`);
          pinData[spec.slice(0, at)] = toItems(await readJsonArgument(spec.slice(at + 1)));
        }
        const evaluator = await defaultEvaluator();
        const result = await runWorkflow(workflow, {
          registry: defaultRegistry(),
          ...(evaluator ? { evaluator } : {}),
          mode: 'cli',
          ...(input ? { input } : {}),
          ...(options.to ? { destinationNode: options.to } : {}),
          ...(Object.keys(pinData).length > 0
            ? { pinData: { ...((workflow.pinData as Record<string, Item[]>) ?? {}), ...pinData } }
            : {}),
          ...(options.tz ? { timezone: options.tz } : {}),
        });
        if (options.json) printJson(summarise(result));
        else printRun(result);
        process.exitCode =
          result.status === 'success' || result.status === 'waiting' ? EXIT.OK : EXIT.FAILED;
      } catch (error) {
        printError(error);
        process.exitCode = EXIT.FAILED;
      }
    });
}

function toItems(value: unknown): Item[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) =>
    v && typeof v === 'object' && 'json' in v ? (v as Item) : { json: v as JsonObject },
  );
}

function summarise(result: RunWorkflowResult) {
  return {
    executionId: result.executionId,
    status: result.status,
    lastNodeExecuted: result.lastNodeExecuted,
    error: result.error,
    startedAt: result.startedAt,
    stoppedAt: result.stoppedAt,
    data: { resultData: { runData: result.runData, lastNodeExecuted: result.lastNodeExecuted } },
  };
}

function printRun(result: RunWorkflowResult): void {
  const runs = Object.entries(result.runData)
    .flatMap(([node, tasks]) => tasks.map((task, run) => ({ node, run, task })))
    .sort((a, b) => a.task.executionIndex - b.task.executionIndex);
  for (const { node, run, task } of runs) {
    const outputs = task.data?.main ?? [];
    const counts = outputs.map((o) => o?.length ?? 0);
    process.stdout.write(
      `▸ ${node}${run > 0 ? ` (run ${run})` : ''}: ${counts.length > 1 ? counts.join(' / ') : (counts[0] ?? 0)} item(s)${task.error ? ` — error: ${task.error.message}` : ''}\n`,
    );
    outputs.forEach((items, o) => {
      if (outputs.length > 1) process.stdout.write(`  output ${o}:\n`);
      for (const item of items ?? []) process.stdout.write(`  ${JSON.stringify(item.json)}\n`);
    });
  }
  if (result.status === 'error') {
    process.stderr.write(
      `execution failed at node '${result.error?.nodeName ?? result.lastNodeExecuted}': ${result.error?.message}\n`,
    );
  } else {
    process.stdout.write(
      `execution ${result.status} (${result.stoppedAt.getTime() - result.startedAt.getTime()} ms)\n`,
    );
  }
}
