import { readFile } from 'node:fs/promises';
import { BudflowError, type JsonObject } from '@budflow/node-sdk';

/** Reads a workflow file (n8n JSON). Errors name the file. */
export async function readWorkflowFile(path: string): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new BudflowError('FILE_NOT_READABLE', `cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as JsonObject;
  } catch (error) {
    throw new BudflowError(
      'FILE_NOT_JSON',
      `${path} is not valid JSON: ${(error as Error).message}`,
    );
  }
}

/** `json` or `@file` → parsed JSON. */
export async function readJsonArgument(value: string): Promise<unknown> {
  const text = value.startsWith('@') ? await readFile(value.slice(1), 'utf8') : value;
  return JSON.parse(text);
}
