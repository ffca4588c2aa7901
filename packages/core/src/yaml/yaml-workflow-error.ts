import { WorkflowValidationError, type ValidationProblem } from '@budflow/node-sdk';

/** A problem in a YAML workflow, with its 1-based line and column when known. */
export interface YamlProblem extends ValidationProblem {
  line?: number;
  column?: number;
}

const where = (file: string | undefined, p: YamlProblem) => {
  const position = p.line === undefined ? '' : `${p.line}:${p.column ?? 1}`;
  if (file) return position ? `${file}:${position}` : file;
  return position ? `line ${p.line}, column ${p.column ?? 1}` : '';
};

/**
 * An invalid YAML workflow. `problems` carry the path in the YAML document (`nodes.Set.params`),
 * the line and column, and the message says what shape was expected.
 */
export class YamlWorkflowError extends WorkflowValidationError {
  override name = 'YamlWorkflowError';
  declare readonly problems: YamlProblem[];
  readonly file: string | undefined;

  constructor(problems: YamlProblem[], file?: string) {
    super(
      problems,
      `${file ?? 'workflow'} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems
          .map((p) => {
            const at = where(file, p);
            return `  ${at ? `${at}: ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}`;
          })
          .join('\n'),
    );
    this.file = file;
  }
}
