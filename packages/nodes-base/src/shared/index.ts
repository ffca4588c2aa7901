/**
 * Utilities shared by the node groups of `@budflow/nodes-base`: safe dot-notation paths, n8n's
 * field type validation, the filter-conditions model, legacy comparisons and fuzzy matching.
 */
export {
  getPath,
  hasPath,
  isUnsafeKey,
  parsePath,
  pathKeys,
  setKey,
  setPath,
  unsetPath,
} from './dot-path.js';
export {
  describeValue,
  parseJsonLenient,
  toArray,
  toBoolean,
  toDateTime,
  toJsonValue,
  toNumber,
  toObject,
  toStringValue,
  validateFieldType,
  type FieldType,
  type FieldValidation,
  type ValidateFieldOptions,
} from './field-type.js';
export {
  FilterError,
  executeFilter,
  executeFilterCondition,
  filterValueSchema,
  parseRegex,
  type FilterCondition,
  type FilterOperator,
  type FilterOperatorType,
  type FilterOptions,
  type FilterValue,
} from './filter-conditions.js';
export {
  LEGACY_DATA_TYPES,
  LEGACY_OPERATIONS,
  compareLegacy,
  legacyDateTime,
} from './legacy-compare.js';
export { fuzzyCompare, type CompareFunction } from './fuzzy-compare.js';
export { ExactMatchIndex } from './match-index.js';
export { deepCopyJson, executionNodeContext, hasRawParam, nodeError } from './node-context.js';
export { loadOnce } from './load-once.js';
export { lazySchema } from './lazy-schema.js';
export { loadLodash, lodash, withLodash, type LodashParts } from './lodash.js';
