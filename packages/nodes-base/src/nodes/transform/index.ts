import type { CredentialDefinition, NodeDefinition } from '@budflow/node-sdk';
import { aggregateNode } from './aggregate.js';
import { cryptoCredential, cryptoNode } from './crypto.js';
import { dateTimeNode } from './date-time.js';
import { itemListsNode } from './item-lists.js';
import { limitNode } from './limit.js';
import { removeDuplicatesNode } from './remove-duplicates.js';
import { renameKeysNode } from './rename-keys.js';
import { sortNode } from './sort.js';
import { splitOutNode } from './split-out.js';
import { summarizeNode } from './summarize.js';

/** The transform node group. Each entry is one node definition. */
export const transformNodes: NodeDefinition[] = [
  sortNode,
  limitNode,
  aggregateNode,
  splitOutNode,
  removeDuplicatesNode,
  summarizeNode,
  renameKeysNode,
  itemListsNode,
  dateTimeNode,
  cryptoNode,
];

/** Credential types of the transform group (Crypto v2 keeps its HMAC secret and key here). */
export const transformCredentials: CredentialDefinition<any>[] = [cryptoCredential];
