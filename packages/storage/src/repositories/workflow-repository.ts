import { BudflowError, isJsonObject, type JsonObject } from '@budflow/node-sdk';
import { sql } from 'kysely';
import {
  STORAGE_ERROR_CODES,
  StorageConflictError,
  StorageNotFoundError,
  mapConflict,
} from '../errors.js';
import { bool, inTransaction, likeContains, type RepositoryContext } from '../internal/context.js';
import {
  decodeCursor,
  pageLimit,
  toPage,
  type Page,
  type PageRequest,
} from '../internal/cursor.js';
import { newId } from '../internal/ids.js';
import type { Database, WorkflowTable, WorkflowVersionTable } from '../schema/database.js';
import type { Kysely } from 'kysely';
import { TagRepository } from './tag-repository.js';

/** A workflow's metadata; `document` is the n8n workflow JSON as saved. */
export interface WorkflowSummary {
  id: string;
  name: string;
  active: boolean;
  projectId: string | null;
  tags: string[];
  nodeTypes: string[];
  versionId: string;
  versionNumber: number;
  createdAt: number;
  updatedAt: number;
}

export interface StoredWorkflow extends WorkflowSummary {
  document: JsonObject;
}

export interface WorkflowVersion {
  workflowId: string;
  versionNumber: number;
  versionId: string;
  name: string;
  document: JsonObject;
  authorId: string | null;
  createdAt: number;
}

export interface CreateWorkflowInput {
  /** Kept when importing from n8n; generated otherwise. */
  id?: string;
  /** Defaults to `document.name`. */
  name?: string;
  document: JsonObject;
  active?: boolean;
  /** Tag names; missing tags are created. */
  tags?: string[];
  projectId?: string | null;
  authorId?: string | null;
}

export interface UpdateWorkflowInput {
  name?: string;
  document?: JsonObject;
  active?: boolean;
  tags?: string[];
  projectId?: string | null;
}

export interface SaveOptions {
  authorId?: string | null;
  /** Optimistic concurrency: refuse the save when the workflow moved past this version. */
  expectedVersionId?: string;
}

export interface WorkflowSearch extends PageRequest {
  /** Case-insensitive substring of the name. */
  name?: string;
  tag?: string;
  /** A node type present in the workflow (`n8n-nodes-base.httpRequest`). */
  nodeType?: string;
  active?: boolean;
  projectId?: string | null;
}

function nodeTypesOf(document: JsonObject): string[] {
  const nodes = document.nodes;
  if (!Array.isArray(nodes)) return [];
  const types = new Set<string>();
  for (const node of nodes) {
    if (isJsonObject(node) && typeof node.type === 'string') types.add(node.type);
  }
  return [...types].sort();
}

function assertDocument(document: unknown): asserts document is JsonObject {
  if (!isJsonObject(document)) {
    throw new BudflowError(
      STORAGE_ERROR_CODES.STORAGE_INVALID_INPUT,
      'a workflow document must be a JSON object (n8n workflow JSON with nodes and connections)',
    );
  }
}

function nameOf(input: { name?: string; document: JsonObject }): string {
  const name = input.name ?? (typeof input.document.name === 'string' ? input.document.name : '');
  if (name.trim() === '') {
    throw new BudflowError(
      STORAGE_ERROR_CODES.STORAGE_INVALID_INPUT,
      'a workflow needs a name: pass `name` or set `name` in the workflow JSON',
    );
  }
  return name.trim();
}

const encodeTypes = (types: string[]) => (types.length === 0 ? ',' : `,${types.join(',')},`);
const decodeTypes = (text: string) => text.split(',').filter((t) => t !== '');

function toSummary(row: WorkflowTable, tags: string[]): WorkflowSummary {
  return {
    id: row.id,
    name: row.name,
    active: bool(row.active),
    projectId: row.project_id,
    tags,
    nodeTypes: decodeTypes(row.node_types),
    versionId: row.version_id,
    versionNumber: Number(row.version_number),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toVersion(row: WorkflowVersionTable): WorkflowVersion {
  return {
    workflowId: row.workflow_id,
    versionNumber: Number(row.version_number),
    versionId: row.version_id,
    name: row.name,
    document: JSON.parse(row.document) as JsonObject,
    authorId: row.author_id,
    createdAt: Number(row.created_at),
  };
}

/** Workflows and their version history: every save of the name or document is a version. */
export class WorkflowRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  private tagsRepo(db: Kysely<Database>) {
    return new TagRepository({ ...this.ctx, db });
  }

  private async tagNames(db: Kysely<Database>, ids: string[]): Promise<Map<string, string[]>> {
    const byWorkflow = new Map<string, string[]>();
    if (ids.length === 0) return byWorkflow;
    const rows = await db
      .selectFrom('workflow_tags')
      .innerJoin('tags', 'tags.id', 'workflow_tags.tag_id')
      .select(['workflow_tags.workflow_id', 'tags.name'])
      .where('workflow_tags.workflow_id', 'in', ids)
      .orderBy('tags.name')
      .execute();
    for (const row of rows) {
      const list = byWorkflow.get(row.workflow_id) ?? [];
      list.push(row.name);
      byWorkflow.set(row.workflow_id, list);
    }
    return byWorkflow;
  }

  private async setTags(db: Kysely<Database>, workflowId: string, names: string[]) {
    const tags = await this.tagsRepo(db).ensure(names);
    await db.deleteFrom('workflow_tags').where('workflow_id', '=', workflowId).execute();
    if (tags.length > 0) {
      await db
        .insertInto('workflow_tags')
        .values(tags.map((t) => ({ workflow_id: workflowId, tag_id: t.id })))
        .execute();
    }
  }

  async create(input: CreateWorkflowInput): Promise<StoredWorkflow> {
    assertDocument(input.document);
    const name = nameOf(input);
    const now = this.ctx.now();
    const id = input.id ?? newId(now);
    const versionId = newId(now);
    const document = JSON.stringify(input.document);
    const row: WorkflowTable = {
      id,
      name,
      active: input.active ? 1 : 0,
      project_id: input.projectId ?? null,
      document,
      node_types: encodeTypes(nodeTypesOf(input.document)),
      version_id: versionId,
      version_number: 1,
      created_at: now,
      updated_at: now,
    };
    await inTransaction(this.ctx.db, async (trx) => {
      await mapConflict(
        () => trx.insertInto('workflows').values(row).execute(),
        () =>
          new StorageConflictError('workflow', { id }, `a workflow with id '${id}' already exists`),
      );
      await trx
        .insertInto('workflow_versions')
        .values({
          workflow_id: id,
          version_number: 1,
          version_id: versionId,
          name,
          document,
          author_id: input.authorId ?? null,
          created_at: now,
        })
        .execute();
      if (input.tags?.length) await this.setTags(trx, id, input.tags);
    });
    return (await this.get(id))!;
  }

  async get(id: string): Promise<StoredWorkflow | undefined> {
    const row = await this.ctx.db
      .selectFrom('workflows')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const tags = await this.tagNames(this.ctx.db, [id]);
    return {
      ...toSummary(row, tags.get(id) ?? []),
      document: JSON.parse(row.document) as JsonObject,
    };
  }

  async require(id: string): Promise<StoredWorkflow> {
    const workflow = await this.get(id);
    if (!workflow) throw new StorageNotFoundError('workflow', id);
    return workflow;
  }

  /** Saves changes. A new name or document makes a new version; flags and tags do not. */
  async update(
    id: string,
    patch: UpdateWorkflowInput,
    options: SaveOptions = {},
  ): Promise<StoredWorkflow> {
    if (patch.document !== undefined) assertDocument(patch.document);
    await inTransaction(this.ctx.db, async (trx) => {
      const current = await trx
        .selectFrom('workflows')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!current) throw new StorageNotFoundError('workflow', id);
      if (
        options.expectedVersionId !== undefined &&
        options.expectedVersionId !== current.version_id
      ) {
        throw versionConflict(id, options.expectedVersionId, current.version_id);
      }
      const now = this.ctx.now();
      const document =
        patch.document === undefined ? current.document : JSON.stringify(patch.document);
      const name =
        patch.name === undefined && patch.document === undefined
          ? current.name
          : patch.name !== undefined
            ? nameOf({ name: patch.name, document: patch.document ?? {} })
            : typeof patch.document?.name === 'string' && patch.document.name.trim() !== ''
              ? patch.document.name.trim()
              : current.name;
      const newVersion = document !== current.document || name !== current.name;
      const versionNumber = Number(current.version_number) + (newVersion ? 1 : 0);
      const versionId = newVersion ? newId(now) : current.version_id;
      const result = await trx
        .updateTable('workflows')
        .set({
          name,
          document,
          node_types:
            patch.document === undefined
              ? current.node_types
              : encodeTypes(nodeTypesOf(patch.document)),
          active: patch.active === undefined ? current.active : patch.active ? 1 : 0,
          project_id: patch.projectId === undefined ? current.project_id : patch.projectId,
          version_id: versionId,
          version_number: versionNumber,
          updated_at: now,
        })
        .where('id', '=', id)
        .where('version_id', '=', current.version_id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) {
        throw versionConflict(id, current.version_id, '(changed concurrently)');
      }
      if (newVersion) {
        await trx
          .insertInto('workflow_versions')
          .values({
            workflow_id: id,
            version_number: versionNumber,
            version_id: versionId,
            name,
            document,
            author_id: options.authorId ?? null,
            created_at: now,
          })
          .execute();
      }
      if (patch.tags !== undefined) await this.setTags(trx, id, patch.tags);
    });
    return this.require(id);
  }

  async setActive(id: string, active: boolean): Promise<StoredWorkflow> {
    return this.update(id, { active });
  }

  async delete(id: string): Promise<boolean> {
    return inTransaction(this.ctx.db, async (trx) => {
      await trx.deleteFrom('workflow_tags').where('workflow_id', '=', id).execute();
      await trx.deleteFrom('workflow_versions').where('workflow_id', '=', id).execute();
      await trx.deleteFrom('webhooks').where('workflow_id', '=', id).execute();
      const result = await trx.deleteFrom('workflows').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  /** Newest first. */
  async listVersions(id: string, request: PageRequest = {}): Promise<Page<WorkflowVersion>> {
    const limit = pageLimit(request.limit);
    const after = decodeCursor(request.cursor);
    let query = this.ctx.db
      .selectFrom('workflow_versions')
      .selectAll()
      .where('workflow_id', '=', id)
      .orderBy('version_number', 'desc')
      .limit(limit + 1);
    if (after) query = query.where('version_number', '<', after.k);
    const rows = await query.execute();
    return toPage(rows, limit, toVersion, (row) => ({
      k: Number(row.version_number),
      id: row.version_id,
    }));
  }

  /** A version by number, or by version id. */
  async getVersion(id: string, version: number | string): Promise<WorkflowVersion | undefined> {
    const row = await this.ctx.db
      .selectFrom('workflow_versions')
      .selectAll()
      .where('workflow_id', '=', id)
      .where(typeof version === 'number' ? 'version_number' : 'version_id', '=', version)
      .executeTakeFirst();
    return row && toVersion(row);
  }

  /** Makes an old version current again, as a new version (history is never rewritten). */
  async restoreVersion(
    id: string,
    version: number | string,
    options: SaveOptions = {},
  ): Promise<StoredWorkflow> {
    const old = await this.getVersion(id, version);
    if (!old) {
      throw new StorageNotFoundError(
        'workflowVersion',
        `${id}@${version}`,
        `workflow '${id}' has no version ${version}`,
      );
    }
    return this.update(id, { name: old.name, document: old.document }, options);
  }

  /** Most recently updated first; filters combine with AND. */
  async search(query: WorkflowSearch = {}): Promise<Page<WorkflowSummary>> {
    const limit = pageLimit(query.limit);
    const after = decodeCursor(query.cursor);
    let q = this.ctx.db
      .selectFrom('workflows')
      .select([
        'id',
        'name',
        'active',
        'project_id',
        'node_types',
        'version_id',
        'version_number',
        'created_at',
        'updated_at',
      ])
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (query.name !== undefined && query.name !== '') {
      q = q.where(
        sql<boolean>`lower(name) like ${likeContains(query.name.toLowerCase())} escape '\\'`,
      );
    }
    if (query.nodeType !== undefined) {
      q = q.where('node_types', 'like', likeContains(`,${query.nodeType},`));
    }
    if (query.active !== undefined) q = q.where('active', '=', query.active ? 1 : 0);
    if (query.projectId !== undefined) {
      q =
        query.projectId === null
          ? q.where('project_id', 'is', null)
          : q.where('project_id', '=', query.projectId);
    }
    if (query.tag !== undefined) {
      const tag = query.tag;
      q = q.where('id', 'in', (eb) =>
        eb
          .selectFrom('workflow_tags')
          .innerJoin('tags', 'tags.id', 'workflow_tags.tag_id')
          .select('workflow_tags.workflow_id')
          .where('tags.name', '=', tag),
      );
    }
    if (after) {
      q = q.where((eb) =>
        eb.or([
          eb('updated_at', '<', after.k),
          eb.and([eb('updated_at', '=', after.k), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await q.execute();
    const tags = await this.tagNames(
      this.ctx.db,
      rows.slice(0, limit).map((r) => r.id),
    );
    return toPage(
      rows,
      limit,
      (row) => toSummary({ ...row, document: '' }, tags.get(row.id) ?? []),
      (row) => ({ k: Number(row.updated_at), id: row.id }),
    );
  }
}

function versionConflict(id: string, expected: string, actual: string): BudflowError {
  return new BudflowError(
    STORAGE_ERROR_CODES.STORAGE_VERSION_CONFLICT,
    `workflow '${id}' was saved by someone else since version ${expected}; reload it and save again`,
    { details: { entity: 'workflow', id, expectedVersionId: expected, actualVersionId: actual } },
  );
}
