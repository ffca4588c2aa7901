/**
 * Shared test helpers (private): the test-only nodes n8n's fixtures use, for the conformance
 * runner and cross-package tests.
 */
export { testDataNode } from './test-data-node.js';
