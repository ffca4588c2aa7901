import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { compileWorkflowYaml, type NodeRegistry } from '@budflow/core';
import { BudflowError, type JsonObject } from '@budflow/node-sdk';

export type WorkflowFormat = 'yaml' | 'json';

/** `.yaml`/`.yml` files are YAML; anything else is JSON unless it does not start like JSON. */
export function formatOf(path: string, text?: string): WorkflowFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  return text !== undefined && !/^\s*[[{]/.test(text) ? 'yaml' : 'json';
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new BudflowError('FILE_NOT_READABLE', `cannot read ${path}: ${(error as Error).message}`);
  }
}

export function parseJsonWorkflow(path: string, text: string): JsonObject {
  try {
    return JSON.parse(text) as JsonObject;
  } catch (error) {
    throw new BudflowError(
      'FILE_NOT_JSON',
      `${path} is not valid JSON: ${(error as Error).message}`,
    );
  }
}

/**
 * Reads a workflow file, YAML or n8n JSON, as n8n workflow JSON. YAML problems throw a
 * `YamlWorkflowError` naming the file, line and column.
 */
export async function readWorkflowFile(path: string, registry?: NodeRegistry): Promise<JsonObject> {
  const text = await readText(path);
  return workflowFromText(path, text, registry);
}

export function workflowFromText(path: string, text: string, registry?: NodeRegistry): JsonObject {
  if (formatOf(path, text) === 'yaml') {
    return compileWorkflowYaml(text, { file: path, ...(registry ? { registry } : {}) });
  }
  return parseJsonWorkflow(path, text);
}

/** `json` or `@file` → parsed JSON. */
export async function readJsonArgument(value: string): Promise<unknown> {
  const text = value.startsWith('@') ? await readText(value.slice(1)) : value;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BudflowError(
      'FILE_NOT_JSON',
      `${value.startsWith('@') ? value.slice(1) : 'the argument'} is not valid JSON: ${(error as Error).message}`,
    );
  }
}
