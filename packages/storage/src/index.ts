/**
 * @budflow/storage: workflows, executions (with their append-only event log), credentials and the
 * rest of BudFlow's state on kysely, with one schema and migration set for SQLite (default, a file
 * in the data dir) and PostgreSQL (`pg`, loaded only when that dialect is used).
 */
export {
  KEY_CHECK_SETTING,
  createStorage,
  type Repositories,
  type Storage,
  type StorageConfig,
  type StorageOptions,
  type TransactionOptions,
} from './storage.js';
export {
  STORAGE_ERROR_CODES,
  StorageConflictError,
  StorageNotFoundError,
  type StorageEntity,
} from './errors.js';
export type { Page, PageRequest } from './internal/cursor.js';
/** Time-ordered (UUIDv7) ids, as storage gives rows: they index well (append, not scatter). */
export { newId } from './internal/ids.js';
export type { MigrationReport } from './migrations/migrate.js';
export type { DialectName } from './migrations/migrations.js';
export type { SqliteOptions } from './dialect/sqlite-dialect.js';
export type { PostgresOptions } from './dialect/postgres-dialect.js';
export type {
  CreateWorkflowInput,
  SaveOptions,
  StoredWorkflow,
  UpdateWorkflowInput,
  WorkflowRepository,
  WorkflowSearch,
  WorkflowSummary,
  WorkflowVersion,
} from './repositories/workflow-repository.js';
export type {
  CreateExecutionInput,
  ExecutionBatch,
  ExecutionData,
  ExecutionEventLike,
  ExecutionQuery,
  ExecutionRepository,
  SerializedExecutionEvent,
  StoredExecution,
  StoredExecutionStatus,
  UpdateExecutionInput,
} from './repositories/execution-repository.js';
export type {
  CreateCredentialInput,
  CredentialRepository,
  CredentialSummary,
  DecryptedCredential,
} from './repositories/credential-repository.js';
export type {
  RegisterWebhookInput,
  Webhook,
  WebhookMatch,
  WebhookRepository,
} from './repositories/webhook-repository.js';
export type { Variable, VariableRepository } from './repositories/variable-repository.js';
export type { Tag, TagRepository } from './repositories/tag-repository.js';
export type {
  Project,
  ProjectMember,
  ProjectRepository,
} from './repositories/project-repository.js';
export type { CreateUserInput, User, UserRepository } from './repositories/user-repository.js';
export type { ApiKey, ApiKeyRepository } from './repositories/api-key-repository.js';
export type { SettingRepository } from './repositories/setting-repository.js';
export type {
  AuditEntry,
  AuditLogRepository,
  AuditQuery,
} from './repositories/audit-log-repository.js';
export type { PruneOptions, PruneResult } from './retention/prune-executions.js';
export {
  createExecutionRecorder,
  defaultLeaseOwner,
  runEndPatch,
  type ExecutionRecorder,
  type ExecutionRecorderOptions,
  type RunEndEvent,
} from './events/execution-recorder.js';
export {
  createGroupCommit,
  type GroupCommit,
  type GroupCommitOptions,
} from './events/group-commit.js';
export {
  loadRecoveryPoint,
  recoverExecution,
  recoverStaleExecutions,
  resumeWaitingExecution,
  type RecoverRunOptions,
  type RecoverStaleOptions,
  type RecoveryPoint,
  type StaleExecutionOutcome,
} from './recovery/recover-execution.js';
