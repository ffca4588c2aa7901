/**
 * The tables, as kysely sees them. Column conventions, the same on both dialects:
 * timestamps are epoch milliseconds (`bigint`), booleans are 0/1 integers, JSON is text, and large
 * payloads are bytes with an `encoding` column (`json` or `gzip`).
 */
export interface Database {
  projects: ProjectTable;
  users: UserTable;
  project_members: ProjectMemberTable;
  workflows: WorkflowTable;
  workflow_versions: WorkflowVersionTable;
  tags: TagTable;
  workflow_tags: WorkflowTagTable;
  executions: ExecutionTable;
  execution_data: ExecutionDataTable;
  execution_events: ExecutionEventTable;
  credentials: CredentialTable;
  webhooks: WebhookTable;
  variables: VariableTable;
  api_keys: ApiKeyTable;
  settings: SettingTable;
  audit_log: AuditLogTable;
}

export interface ProjectTable {
  id: string;
  name: string;
  type: string;
  created_at: number;
  updated_at: number;
}

export interface UserTable {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  password_hash: string | null;
  role: string;
  disabled: number;
  settings: string | null;
  created_at: number;
  updated_at: number;
}

export interface ProjectMemberTable {
  project_id: string;
  user_id: string;
  role: string;
  created_at: number;
}

export interface WorkflowTable {
  id: string;
  name: string;
  active: number;
  project_id: string | null;
  /** The n8n workflow JSON (nodes, connections, settings, pinData, staticData, meta). */
  document: string;
  /** `,type1,type2,`: searchable node types without parsing the document. */
  node_types: string;
  version_id: string;
  version_number: number;
  created_at: number;
  updated_at: number;
}

export interface WorkflowVersionTable {
  workflow_id: string;
  version_number: number;
  version_id: string;
  name: string;
  document: string;
  author_id: string | null;
  created_at: number;
}

export interface TagTable {
  id: string;
  name: string;
  created_at: number;
  updated_at: number;
}

export interface WorkflowTagTable {
  workflow_id: string;
  tag_id: string;
}

export interface ExecutionTable {
  id: string;
  workflow_id: string | null;
  workflow_version_id: string | null;
  mode: string;
  status: string;
  created_at: number;
  started_at: number | null;
  stopped_at: number | null;
  wait_till: number | null;
  retry_of: string | null;
  retry_success_id: string | null;
  parent_execution_id: string | null;
  custom_data: string | null;
  last_node_executed: string | null;
  error: string | null;
  /** Who runs it and until when the claim holds; a running row past its lease has lost its runner. */
  lease_owner: string | null;
  lease_expires_at: number | null;
  last_seq: number;
}

export interface ExecutionDataTable {
  execution_id: string;
  /** The workflow as it ran (JSON text), so recovery and retries use the same graph. */
  workflow: string | null;
  run_data: Uint8Array | null;
  encoding: string;
  updated_at: number;
}

export interface ExecutionEventTable {
  execution_id: string;
  /** The event's sequence number; of a range row, its first event's. */
  seq: number;
  /**
   * Null: the row holds one event (`payload` is that event). Else the row holds the events
   * `seq`..`last_seq`, contiguous, and `payload` is their JSON array; `type` and `at` are the
   * last event's.
   */
  last_seq: number | null;
  type: string;
  at: number;
  payload: Uint8Array;
  encoding: string;
}

export interface CredentialTable {
  id: string;
  name: string;
  type: string;
  /** Ciphertext from `@budflow/secrets` (context: the credential id). */
  data: string;
  /** '' for credentials outside any project: unique constraints treat NULLs as distinct. */
  project_id: string;
  created_at: number;
  updated_at: number;
}

export interface WebhookTable {
  id: string;
  method: string;
  /** The path as registered, with `:param` segments. */
  path: string;
  /** The path with every `:param` replaced by `:`, unique per method. */
  path_key: string;
  is_dynamic: number;
  segments: number;
  workflow_id: string;
  node_name: string;
  webhook_id: string | null;
  created_at: number;
}

export interface VariableTable {
  id: string;
  key: string;
  value: string;
  type: string;
  project_id: string;
  created_at: number;
  updated_at: number;
}

export interface ApiKeyTable {
  id: string;
  user_id: string;
  label: string;
  key_hash: string;
  key_prefix: string;
  scopes: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
}

export interface SettingTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface AuditLogTable {
  id: string;
  at: number;
  actor_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  project_id: string | null;
  details: string | null;
}
