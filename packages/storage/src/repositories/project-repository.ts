import { StorageConflictError, StorageNotFoundError, mapConflict } from '../errors.js';
import { inTransaction, type RepositoryContext } from '../internal/context.js';
import { newId } from '../internal/ids.js';
import type { ProjectTable } from '../schema/database.js';

/** A tenant: workflows, credentials and variables belong to a project. */
export interface Project {
  id: string;
  name: string;
  type: 'personal' | 'team' | (string & {});
  createdAt: number;
  updatedAt: number;
}

export interface ProjectMember {
  projectId: string;
  userId: string;
  role: string;
  createdAt: number;
}

const toProject = (row: ProjectTable): Project => ({
  id: row.id,
  name: row.name,
  type: row.type,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

const nameConflict = (name: string) =>
  new StorageConflictError('project', { name }, `a project named '${name}' already exists`);

export class ProjectRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async create(input: { id?: string; name: string; type?: Project['type'] }): Promise<Project> {
    const now = this.ctx.now();
    const row: ProjectTable = {
      id: input.id ?? newId(now),
      name: input.name.trim(),
      type: input.type ?? 'team',
      created_at: now,
      updated_at: now,
    };
    await mapConflict(
      () => this.ctx.db.insertInto('projects').values(row).execute(),
      () => nameConflict(row.name),
    );
    return toProject(row);
  }

  async get(id: string): Promise<Project | undefined> {
    const row = await this.ctx.db
      .selectFrom('projects')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toProject(row);
  }

  async list(): Promise<Project[]> {
    return (await this.ctx.db.selectFrom('projects').selectAll().orderBy('name').execute()).map(
      toProject,
    );
  }

  async rename(id: string, name: string): Promise<Project> {
    const trimmed = name.trim();
    const result = await mapConflict(
      () =>
        this.ctx.db
          .updateTable('projects')
          .set({ name: trimmed, updated_at: this.ctx.now() })
          .where('id', '=', id)
          .executeTakeFirst(),
      () => nameConflict(trimmed),
    );
    if (Number(result.numUpdatedRows) === 0) throw new StorageNotFoundError('project', id);
    return (await this.get(id))!;
  }

  async delete(id: string): Promise<boolean> {
    return inTransaction(this.ctx.db, async (trx) => {
      await trx.deleteFrom('project_members').where('project_id', '=', id).execute();
      const result = await trx.deleteFrom('projects').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  /** Adds a member, or changes the role of an existing one. */
  async setMember(projectId: string, userId: string, role: string): Promise<ProjectMember> {
    const now = this.ctx.now();
    await this.ctx.db
      .insertInto('project_members')
      .values({ project_id: projectId, user_id: userId, role, created_at: now })
      .onConflict((oc) => oc.columns(['project_id', 'user_id']).doUpdateSet({ role }))
      .execute();
    return { projectId, userId, role, createdAt: now };
  }

  async removeMember(projectId: string, userId: string): Promise<boolean> {
    const result = await this.ctx.db
      .deleteFrom('project_members')
      .where('project_id', '=', projectId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async listMembers(projectId: string): Promise<ProjectMember[]> {
    const rows = await this.ctx.db
      .selectFrom('project_members')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({
      projectId: r.project_id,
      userId: r.user_id,
      role: r.role,
      createdAt: Number(r.created_at),
    }));
  }

  async listForUser(userId: string): Promise<Array<Project & { role: string }>> {
    const rows = await this.ctx.db
      .selectFrom('projects')
      .innerJoin('project_members', 'project_members.project_id', 'projects.id')
      .selectAll('projects')
      .select('project_members.role')
      .where('project_members.user_id', '=', userId)
      .orderBy('projects.name')
      .execute();
    return rows.map((r) => ({ ...toProject(r), role: r.role }));
  }
}
