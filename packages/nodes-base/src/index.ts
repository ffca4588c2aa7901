/**
 * @budflow/nodes-base: n8n-compatible core nodes (triggers, flow control, data transformation,
 * files, HTTP Request, Code, ...). Each node declares its n8n type and typeVersions in `compat.n8n`.
 */
import type { CredentialDefinition, NodeDefinition } from '@budflow/node-sdk';
import { baseCredentials as httpCredentials } from './credentials/index.js';
import { filesCredentials, filesNodes } from './nodes/files/index.js';
import { flowNodes } from './nodes/flow/index.js';
import { outsideNodes } from './nodes/outside/index.js';
import { transformCredentials, transformNodes } from './nodes/transform/index.js';
import { stickyNoteNode } from './nodes/sticky-note.js';
import { customerDatastoreNode } from './nodes/training/customer-datastore.js';

export { filesNodes, flowNodes, outsideNodes, transformNodes };
/**
 * Hosts that configure the outbound HTTP client (SSRF allow-list, limits) or the Code node's
 * sandbox limits build the outside nodes themselves instead of using `baseNodes`' defaults.
 */
export {
  closeOutsideNodes,
  createCodeNodes,
  createHttpClient,
  createHttpRequestNode,
  createOutsideNodes,
  type OutsideNodesOptions,
} from './nodes/outside/index.js';

/** Every node of this package. */
export const baseNodes: readonly NodeDefinition[] = [
  ...flowNodes,
  ...transformNodes,
  ...filesNodes,
  ...outsideNodes,
  stickyNoteNode,
  customerDatastoreNode,
];

/** Every credential type of this package (HTTP auth, JWT, TOTP, ...). */
export const baseCredentials: readonly CredentialDefinition<any>[] = [
  ...httpCredentials,
  ...filesCredentials,
  ...transformCredentials,
];
