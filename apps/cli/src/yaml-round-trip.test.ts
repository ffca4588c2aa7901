import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  parseWorkflow,
  parseWorkflowYaml,
  runWorkflow,
  workflowToYaml,
  type RunWorkflowResult,
  type Workflow,
  defaultEvaluator,
} from '@budflow/core';
import { isJsonObject, type Item, type JsonObject } from '@budflow/node-sdk';
import { describe, expect, it, vi } from 'vitest';
import { defaultRegistry } from './registry.js';

/**
 * JSON → YAML → JSON on n8n's own test workflows (the shared conformance corpus): the model
 * must come back equal, and where every node is known, both must run to the same outputs.
 */
const CORPUS = '/work/shared/conformance/n8n-workflows';
const NETWORK_TYPES = new Set(['n8n-nodes-base.httpRequest', 'n8n-nodes-base.graphql']);

function fixtures(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? fixtures(join(dir, entry.name))
      : entry.name.endsWith('.json')
        ? [join(dir, entry.name)]
        : [],
  );
}

const files = fixtures(CORPUS).sort();
const registry = defaultRegistry();

/** Empty outputs are the same as missing ones (`null`, `[]`, trailing). */
function normalised(workflow: Workflow): Workflow {
  const connections: Workflow['connections'] = {};
  for (const [source, byType] of Object.entries(workflow.connections)) {
    for (const [type, outputs] of Object.entries(byType)) {
      const lists = outputs.map((l) => l ?? []);
      while (lists.length > 0 && lists[lists.length - 1]!.length === 0) lists.pop();
      if (lists.length > 0) (connections[source] ??= {})[type] = lists;
    }
  }
  return { ...workflow, connections };
}

const knowsAll = (document: JsonObject) =>
  (document.nodes as JsonObject[]).every((n) =>
    registry.resolve(String(n.type), n.typeVersion as number | undefined),
  );

/** What a user compares: per node and run, the json of each output, and the errors. */
function outcome(result: RunWorkflowResult) {
  return {
    status: result.status,
    error: result.error?.message,
    nodes: Object.fromEntries(
      Object.entries(result.runData).map(([node, tasks]) => [
        node,
        tasks.map((task) => ({
          error: task.error?.message,
          main: (task.data?.main ?? []).map((items) => (items ?? []).map((i) => i.json)),
        })),
      ]),
    ),
  };
}

/** Runs with `Date` frozen at one instant, so `$now` is the same in both runs. */
async function atFixedTime<T>(fn: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-01-05T10:00:00.000Z') });
  try {
    return await fn();
  } finally {
    vi.useRealTimers();
  }
}

async function run(document: JsonObject) {
  const { pinData: _pinned, trigger, ...workflow } = document;
  const spec = isJsonObject(trigger) ? trigger : {};
  const evaluator = defaultEvaluator();
  return runWorkflow(workflow, {
    registry,
    ...(evaluator ? { evaluator } : {}),
    pinData: false,
    ...(Array.isArray(spec.input) ? { input: spec.input as unknown as Item[] } : {}),
  });
}

describe('YAML round trip on the conformance corpus', () => {
  it('finds the corpus', () => {
    expect(files.length).toBeGreaterThan(40);
  });

  for (const file of files) {
    const name = relative(CORPUS, file);
    const document = JSON.parse(readFileSync(file, 'utf8')) as JsonObject;
    if (!Array.isArray(document.nodes)) continue;
    const known = knowsAll(document);

    it(`${name}: JSON → YAML → JSON gives the same workflow`, () => {
      const options = known ? { registry } : {};
      const original = normalised(parseWorkflow(structuredClone(document), options));
      const yaml = workflowToYaml(structuredClone(document), options);
      const back = normalised(parseWorkflowYaml(yaml, options));
      expect(back).toEqual(original);
      // The YAML is the friendly form where the registry knows the nodes: short types.
      if (known) expect(yaml).not.toMatch(/type: n8n-nodes-base\./);
    });

    const offline = !(document.nodes as JsonObject[]).some((n) =>
      NETWORK_TYPES.has(String(n.type)),
    );
    if (known && offline) {
      it(`${name}: both run to the same outputs`, async () => {
        const yaml = workflowToYaml(structuredClone(document), { registry });
        const back = parseWorkflowYaml(yaml, { registry });
        const viaYaml = {
          ...document,
          nodes: back.nodes,
          connections: back.connections,
          settings: back.settings,
        } as unknown as JsonObject;
        const [a, b] = [
          await atFixedTime(() => run(document)),
          await atFixedTime(() => run(viaYaml)),
        ];
        expect(outcome(b)).toEqual(outcome(a));
        expect(Object.keys(a.runData).length).toBeGreaterThan(0);
      });
    }
  }
});
