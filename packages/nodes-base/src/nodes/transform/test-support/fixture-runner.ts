/**
 * A tiny stand-in for the engine, for this group's tests only: runs the n8n fixture workflows whose
 * checked nodes are ours, feeding them the literal data of Code / testData nodes. Fixtures it cannot
 * run (other node types, expressions) are reported as skipped. `pnpm conformance` is the real judge.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NodeError, type Item, type JsonObject, type NodeDefinition } from '@budflow/node-sdk';
import { runNode } from '@budflow/node-sdk/testing';
import JSON5 from 'json5';

interface FixtureNode {
  name: string;
  type: string;
  typeVersion: number;
  parameters: JsonObject;
  disabled?: boolean;
  continueOnFail?: boolean;
  onError?: string;
  alwaysOutputData?: boolean;
}
interface Fixture {
  nodes: FixtureNode[];
  connections: Record<string, { main?: Array<Array<{ node: string; index: number }> | null> }>;
  pinData?: Record<string, Array<{ json: JsonObject }>>;
  settings?: { timezone?: string };
}

export interface FixtureResult {
  node: string;
  status: 'checked' | 'skipped';
  reason?: string;
  expected?: JsonObject[];
  actual?: JsonObject[];
}

class Unsupported extends Error {}

export function findFixtures(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...findFixtures(path));
    else if (entry.endsWith('.json')) out.push(path);
  }
  return out.sort();
}

/** Literal data of a Code node that only returns a literal. */
function codeLiteral(code: string): Item[] {
  const match = /^\s*return\s+([\s\S]*?);?\s*$/.exec(code.replace(/\/\/[^\n]*$/gm, '').trim());
  if (!match) throw new Unsupported('code node with logic');
  const source = match[1]!.replace(/(\w+|"[^"]*")\s*:\s*undefined\s*,?/g, '');
  let value: unknown;
  try {
    value = JSON5.parse(source);
  } catch {
    throw new Unsupported('code node with logic');
  }
  const list = Array.isArray(value) ? value : [value];
  return list.map((entry) =>
    typeof entry === 'object' && entry !== null && 'json' in entry
      ? (entry as Item)
      : { json: entry as JsonObject },
  );
}

/** Whether the fixture uses any of `nodes`. */
export function usesNodes(path: string, nodes: readonly NodeDefinition[]): boolean {
  const fixture = JSON.parse(readFileSync(path, 'utf8')) as Fixture;
  return fixture.nodes.some((node) => nodes.some((entry) => entry.compat?.n8n?.type === node.type));
}

export function runFixture(
  path: string,
  nodes: readonly NodeDefinition[],
  stubs: Record<string, JsonObject[]> = {},
): Promise<FixtureResult[]> {
  const fixture = JSON.parse(readFileSync(path, 'utf8')) as Fixture;
  const byName = new Map(fixture.nodes.map((node) => [node.name, node]));
  const parents = new Map<string, string[]>();
  for (const [from, outputs] of Object.entries(fixture.connections)) {
    (outputs.main ?? []).forEach((list, outputIndex) => {
      for (const target of list ?? []) {
        const from_ = outputIndex === 0 ? from : `\u0000${from}`;
        parents.set(target.node, [...(parents.get(target.node) ?? []), from_]);
      }
    });
  }
  const cache = new Map<string, Promise<Item[]>>();

  const output = (name: string): Promise<Item[]> => {
    let result = cache.get(name);
    if (!result) {
      result = compute(name);
      cache.set(name, result);
    }
    return result;
  };

  const compute = async (name: string): Promise<Item[]> => {
    const node = byName.get(name)!;
    const from = parents.get(name) ?? [];
    if (from.length > 1) throw new Unsupported('several inputs');
    if (from[0]?.startsWith('\u0000')) throw new Unsupported('a second output');
    const input = from.length ? await output(from[0]!) : [{ json: {} }];
    const short = node.type.replace('n8n-nodes-base.', '');
    if (node.disabled || short === 'noOp') return input;
    if (short === 'manualTrigger') return [{ json: {} }];
    if (short === 'code') return codeLiteral(String(node.parameters.jsCode ?? ''));
    const stub = stubs[node.type];
    if (stub) return stub.map((json) => ({ json }));
    if (node.type === 'n8n-nodes-testing.testData') {
      const data = node.parameters.data;
      const list = Array.isArray(data) ? data : [data];
      return list.map((json) => ({ json: json as JsonObject }));
    }
    const definition = nodes.find((entry) => entry.compat?.n8n?.type === node.type);
    if (!definition) throw new Unsupported(`node type ${node.type}`);
    if (JSON.stringify(node.parameters).includes('={{')) throw new Unsupported('expressions');
    if (input.length === 0) return [];
    try {
      const result = await runNode(definition, {
        params: node.parameters,
        items: input,
        type: node.type,
        typeVersion: node.typeVersion,
        timezone: fixture.settings?.timezone ?? 'UTC',
      });
      const items = result.outputs?.[0] ?? [];
      if (node.alwaysOutputData && items.length === 0) return [{ json: {} }];
      return items;
    } catch (error) {
      if (error instanceof NodeError && error.details.unavailable !== undefined) {
        throw new Unsupported(`${node.name} needs ${String(error.details.unavailable)}`);
      }
      if (node.continueOnFail || node.onError === 'continueRegularOutput') return input;
      throw error;
    }
  };

  return Promise.all(
    Object.entries(fixture.pinData ?? {}).map(async ([name, expected]) => {
      try {
        const actual = await output(name);
        return {
          node: name,
          status: 'checked' as const,
          expected: expected.map((item) => item.json),
          actual: JSON.parse(JSON.stringify(actual.map((item) => item.json))) as JsonObject[],
        };
      } catch (error) {
        if (error instanceof Unsupported) {
          return { node: name, status: 'skipped' as const, reason: error.message };
        }
        throw error;
      }
    }),
  );
}
