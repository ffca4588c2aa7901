/**
 * Names of n8n's extension methods (strings, numbers, arrays, objects, booleans, dates). A call
 * `x.name(...)` with one of these names is compiled to the extension dispatcher, which picks the
 * extension for the receiver's type and falls back to a native method of that name.
 */
export const EXTENSION_NAMES: ReadonlySet<string> = new Set([
  // strings
  'hash', 'removeTags', 'removeMarkdown', 'toDate', 'toDateTime', 'toBoolean', 'toDecimalNumber',
  'toFloat', 'toNumber', 'toInt', 'toWholeNumber', 'toSentenceCase', 'toSnakeCase', 'toTitleCase',
  'urlDecode', 'urlEncode', 'replaceSpecialChars', 'quote', 'isNumeric', 'isUrl', 'isDomain',
  'isEmail', 'isEmpty', 'isNotEmpty', 'extractEmail', 'extractDomain', 'extractUrl',
  'extractUrlPath', 'parseJson', 'base64Encode', 'base64Decode', 'toJsonString',
  // numbers
  'ceil', 'floor', 'format', 'round', 'abs', 'isEven', 'isOdd', 'isInteger',
  // arrays
  'append', 'average', 'chunk', 'compact', 'difference', 'first', 'intersection', 'last', 'max',
  'merge', 'min', 'pluck', 'randomItem', 'removeDuplicates', 'renameKeys', 'smartJoin', 'sum',
  'union', 'unique',
  // objects
  'hasField', 'removeField', 'removeFieldsContaining', 'keepFieldsContaining', 'keys', 'values',
  // dates
  'beginningOf', 'endOfMonth', 'isDst', 'isInLast', 'isBetween', 'isWeekend', 'minus', 'plus',
  'extract', 'diffTo', 'isInNext',
]);

/** The `$` variables and helpers an expression can use (n8n's names). */
export const KNOWN_VARIABLES: ReadonlySet<string> = new Set([
  '$json', '$binary', '$input', '$', '$node', '$items', '$item', '$prevNode', '$runIndex',
  '$itemIndex', '$now', '$today', '$execution', '$workflow', '$vars', '$secrets', '$parameter',
  '$env', '$jmespath', '$jsonata', '$if', '$ifEmpty', '$not', '$max', '$min', '$average',
  '$evaluateExpression', '$data', '$thisItem', '$nodeVersion', '$nodeId', '$mode', '$position',
  '$webhookId', '$self',
]);

/** Property names that lead to prototypes and code generation; n8n rejects them too. */
export const FORBIDDEN_PROPERTIES: ReadonlySet<string> = new Set([
  'constructor', '__proto__', 'prototype', '__defineGetter__', '__defineSetter__',
  '__lookupGetter__', '__lookupSetter__',
]);
