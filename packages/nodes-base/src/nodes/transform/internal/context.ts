import type { BinaryRef, JsonObject, NodeContextBase } from '@budflow/node-sdk';
import { NodeError } from '@budflow/node-sdk';

/*
 * Engines may hand nodes a context whose base fields were lost in a spread (class getters and
 * methods do not survive `{ ...ctx }`); these readers degrade to safe defaults instead of crashing.
 */
type LooseContext = Partial<NodeContextBase>;

/** The workflow's timezone, else the process's. */
export function workflowTimezone(ctx: LooseContext): string {
  return ctx.workflow?.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Static data of the node or workflow; fails clearly when the host provides none. */
export function staticData(ctx: LooseContext, scope: 'global' | 'node'): JsonObject {
  if (typeof ctx.getStaticData !== 'function') {
    throw new NodeError('This operation needs static data, which the host does not provide');
  }
  return ctx.getStaticData(scope);
}

/** The bytes of a binary reference: through the host's helpers, or inline base64 data. */
export async function binaryBuffer(ctx: LooseContext, ref: BinaryRef): Promise<Buffer> {
  if (typeof ctx.helpers?.getBinaryBuffer === 'function') return ctx.helpers.getBinaryBuffer(ref);
  if (ref.id)
    throw new NodeError('Binary data is stored outside the item and no reader is available');
  return Buffer.from(ref.data, 'base64');
}

/** Decrypted credential data; fails clearly when the host provides no credentials. */
export async function credentials<T extends Record<string, unknown>>(
  ctx: LooseContext,
  type: string,
): Promise<T> {
  if (typeof ctx.getCredentials !== 'function') {
    throw new NodeError(
      `This operation needs a '${type}' credential, which the host does not provide`,
    );
  }
  return ctx.getCredentials<T>(type);
}
