import { defineNode } from '@budflow/node-sdk';
import { z } from 'zod';

/** A canvas note (n8n's Sticky Note). It has no connections and never runs; listed so workflows load. */
export const stickyNoteNode = defineNode({
  type: 'budflow.stickyNote',
  version: 1,
  title: 'Sticky Note',
  category: 'utility',
  compat: { n8n: { type: 'n8n-nodes-base.stickyNote', versions: [1] } },
  inputs: [],
  outputs: [],
  params: z.object({ content: z.string().optional() }).passthrough(),
  execute: () => null,
});
