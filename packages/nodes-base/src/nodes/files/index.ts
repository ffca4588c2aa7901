import type { NodeDefinition } from '@budflow/node-sdk';
import { convertToFileNode } from './convert-to-file/convert-to-file-node.js';
import { extractFromFileNode } from './extract-from-file/extract-from-file-node.js';
import { htmlExtractNode } from './html/html-extract-node.js';
import { htmlNode } from './html/html-node.js';
import { jwtNode } from './jwt/jwt-node.js';
import { markdownNode } from './markdown/markdown-node.js';
import { spreadsheetFileNode } from './spreadsheet-file/spreadsheet-file-node.js';
import { totpNode } from './totp/totp-node.js';
import { xmlNode } from './xml/xml-node.js';

export { filesCredentials, jwtAuthCredential, totpApiCredential } from './credentials/index.js';

/** The files node group. Each entry is one node definition. */
export const filesNodes: NodeDefinition[] = [
  xmlNode,
  htmlNode,
  htmlExtractNode,
  markdownNode,
  jwtNode,
  totpNode,
  convertToFileNode,
  extractFromFileNode,
  spreadsheetFileNode,
];
