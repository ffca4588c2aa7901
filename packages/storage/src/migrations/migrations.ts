import { sql, type Kysely, type Migration } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

/**
 * The one migration set, forward-only (no `down`): a schema change is a new migration. Names sort
 * in order of application. Column types that differ between the dialects come from `types`.
 */
export function buildMigrations(dialect: DialectName): Record<string, Migration> {
  const t = {
    bigint: dialect === 'postgres' ? sql`bigint` : sql`integer`,
    bytes: dialect === 'postgres' ? sql`bytea` : sql`blob`,
  };

  return {
    '0001_initial': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('projects')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('created_at', t.bigint, (c) => c.notNull())
          .addColumn('updated_at', t.bigint, (c) => c.notNull())
          .addUniqueConstraint('projects_name_unique', ['name'])
          .execute();

        await db.schema
          .createTable('users')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('first_name', 'text')
          .addColumn('last_name', 'text')
          .addColumn('password_hash', 'text')
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('settings', 'text')
          .addColumn('created_at', t.bigint, (c) => c.notNull())
          .addColumn('updated_at', t.bigint, (c) => c.notNull())
          .addUniqueConstraint('users_email_unique', ['email'])
          .execute();

        await db.schema
          .createTable('project_members')
          .addColumn('project_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('created_at', t.bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('project_members_pk', ['project_id', 'user_id'])
          .execute();
        await db.schema
          .createIndex('project_members_user_idx')
          .on('project_members')
          .column('user_id')
          .execute();

        await db.schema
          .createTable('workflows')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('active', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('project_id', 'text')
          .addColumn('document', 'text', (c) => c.notNull())
          .addColumn('node_types', 'text', (c) => c.notNull())
          .addColumn('version_id', 'text', (c) => c.notNull())
          .addColumn('version_number', 'integer', (c) => c.notNull())
          .addColumn('created_at', t.bigint, (c) => c.notNull())
          .addColumn('updated_at', t.bigint, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('workflows_updated_idx')
          .on('workflows')
          .columns(['updated_at', 'id'])
          .execute();
        await db.schema
          .createIndex('workflows_project_idx')
          .on('workflows')
          .column('project_id')
          .execute();

        await db.schema
          .createTable('workflow_versions')
          .addColumn('workflow_id', 'text', (c) => c.notNull())
          .addColumn('version_number', 'integer', (c) => c.notNull())
          .addColumn('version_id', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('document', 'text', (c) => c.notNull())
          .addColumn('author_id', 'text')
          .addColumn('created_at', t.bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('workflow_versions_pk', ['workflow_id', 'version_number'])
          .addUniqueConstraint('workflow_versions_version_id_unique', ['version_id'])
          .execute();

        await db.schema
          .createTable('tags')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('created_at', t.bigint, (c) => c.notNull())
          .addColumn('updated_at', t.bigint, (c) => c.notNull())
          .addUniqueConstraint('tags_name_unique', ['name'])
          .execute();

        await db.schema
          .createTable('workflow_tags')
          .addColumn('workflow_id', 'text', (c) => c.notNull())
          .addColumn('tag_id', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('workflow_tags_pk', ['workflow_id', 'tag_id'])
          .execute();
        await db.schema
          .createIndex('workflow_tags_tag_idx')
          .on('workflow_tags')
          .column('tag_id')
          .execute();

        await db.schema
          .createTable('executions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('workflow_id', 'text')
          .addColumn('workflow_version_id', 'text')
          .addColumn('mode', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', t.bigint, (c) => c.notNull())
          .addColumn('started_at', t.bigint)
          .addColumn('stopped_at', t.bigint)
          .addColumn('wait_till', t.bigint)
          .addColumn('retry_of', 'text')
          .addColumn('retry_success_id', 'text')
          .addColumn('parent_execution_id', 'text')
          .addColumn('custom_data', 'text')
          .addColumn('last_node_executed', 'text')
          .addColumn('error', 'text')
          .addColumn('lease_owner', 'text')
          .addColumn('lease_expires_at', t.bigint)
          .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(-1))
          .execute();
        await db.schema
          .createIndex('executions_workflow_idx')
          .on('executions')
          .columns(['workflow_id', 'created_at', 'id'])
          .execute();
        await db.schema
          .createIndex('executions_created_idx')
          .on('executions')
          .columns(['created_at', 'id'])
          .execute();
        await db.schema
          .createIndex('executions_status_idx')
          .on('executions')
          .columns(['status', 'lease_expires_at'])
          .execute();
        await db.schema
          .createIndex('executions_wait_idx')
          .on('executions')
          .column('wait_till')
          .execute();
        await db.schema
          .createIndex('executions_parent_idx')
          .on('executions')
          .column('parent_execution_id')
          .execute();

        await db.schema
          .createTable('execution_data')
          .addColumn('execution_id', 'text', (c) => c.primaryKey())
          .addColumn('workflow', 'text')
          .addColumn('run_data', t.bytes)
          .addColumn('encoding', 'text', (c) => c.notNull())
          .addColumn('updated_at', t.bigint, (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('execution_events')
          .addColumn('execution_id', 'text', (c) => c.notNull())
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('at', t.bigint, (c) => c.notNull())
          .addColumn('payload', t.bytes, (c) => c.notNull())
          .addColumn('encoding', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('execution_events_pk', ['execution_id', 'seq'])
          .execute();

        await db.schema
          .createTable('credentials')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('project_id', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('created_at', t.bigint, (c) => c.notNull())
          .addColumn('updated_at', t.bigint, (c) => c.notNull())
          .addUniqueConstraint('credentials_name_unique', ['project_id', 'type', 'name'])
          .execute();

        await db.schema
          .createTable('webhooks')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('method', 'text', (c) => c.notNull())
          .addColumn('path', 'text', (c) => c.notNull())
          .addColumn('path_key', 'text', (c) => c.notNull())
          .addColumn('is_dynamic', 'integer', (c) => c.notNull())
          .addColumn('segments', 'integer', (c) => c.notNull())
          .addColumn('workflow_id', 'text', (c) => c.notNull())
          .addColumn('node_name', 'text', (c) => c.notNull())
          .addColumn('webhook_id', 'text')
          .addColumn('created_at', t.bigint, (c) => c.notNull())
          .addUniqueConstraint('webhooks_method_path_unique', ['method', 'path_key'])
          .execute();
        await db.schema
          .createIndex('webhooks_workflow_idx')
          .on('webhooks')
          .column('workflow_id')
          .execute();
        await db.schema
          .createIndex('webhooks_dynamic_idx')
          .on('webhooks')
          .columns(['method', 'is_dynamic', 'segments'])
          .execute();

        await db.schema
          .createTable('variables')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('project_id', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('created_at', t.bigint, (c) => c.notNull())
          .addColumn('updated_at', t.bigint, (c) => c.notNull())
          .addUniqueConstraint('variables_key_unique', ['project_id', 'key'])
          .execute();

        await db.schema
          .createTable('api_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('label', 'text', (c) => c.notNull())
          .addColumn('key_hash', 'text', (c) => c.notNull())
          .addColumn('key_prefix', 'text', (c) => c.notNull())
          .addColumn('scopes', 'text', (c) => c.notNull())
          .addColumn('created_at', t.bigint, (c) => c.notNull())
          .addColumn('expires_at', t.bigint)
          .addColumn('last_used_at', t.bigint)
          .addUniqueConstraint('api_keys_hash_unique', ['key_hash'])
          .addUniqueConstraint('api_keys_label_unique', ['user_id', 'label'])
          .execute();

        await db.schema
          .createTable('settings')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('updated_at', t.bigint, (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('audit_log')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('at', t.bigint, (c) => c.notNull())
          .addColumn('actor_id', 'text')
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('entity_type', 'text', (c) => c.notNull())
          .addColumn('entity_id', 'text')
          .addColumn('project_id', 'text')
          .addColumn('details', 'text')
          .execute();
        await db.schema
          .createIndex('audit_log_at_idx')
          .on('audit_log')
          .columns(['at', 'id'])
          .execute();
        await db.schema
          .createIndex('audit_log_entity_idx')
          .on('audit_log')
          .columns(['entity_type', 'entity_id'])
          .execute();
      },
    },
    '0002_event_ranges': {
      // A row of the event log may hold a range of events (`seq` to `last_seq`, payload a JSON
      // array): a worker's group commit writes one row per execution instead of one per event.
      // Rows with `last_seq` null hold one event, as before.
      async up(db: Kysely<any>) {
        await db.schema.alterTable('execution_events').addColumn('last_seq', 'integer').execute();
      },
    },
    '0003_lz4_payloads': {
      // PostgreSQL compresses values over ~2 KB before storing them; with its default (pglz) a
      // writeBatch loop of linear-10 executions cost ~140 µs of server CPU per execution, with
      // lz4 ~95 (b7e2ece). Only where the server has lz4 (PostgreSQL 14+ built with it); values
      // stored before keep theirs.
      async up(db: Kysely<any>) {
        if (dialect !== 'postgres') return;
        const { rows } = await sql<{ lz4: boolean }>`select exists (select 1 from pg_settings
          where name = 'default_toast_compression' and 'lz4' = any(enumvals)) as lz4`.execute(db);
        if (!rows[0]?.lz4) return;
        await sql`alter table execution_events alter column payload set compression lz4`.execute(
          db,
        );
        await sql`alter table execution_data alter column run_data set compression lz4,
          alter column workflow set compression lz4`.execute(db);
      },
    },
  };
}
