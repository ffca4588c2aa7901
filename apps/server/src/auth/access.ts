import type { Storage, User } from '@budflow/storage';
import { httpError } from '../http/http-error.js';

export type Access = 'read' | 'write' | 'manage';

/** Instance owners and admins see and change everything. */
export const isInstanceAdmin = (user: User): boolean =>
  user.role === 'owner' || user.role === 'admin';

export function requireInstanceAdmin(user: User): void {
  if (!isInstanceAdmin(user))
    throw httpError('FORBIDDEN', 'only the owner or an admin can do this');
}

/**
 * Project access of a user: instance owners/admins everywhere; members where they are project
 * members (`member`: read and write; `owner`/`admin`: also manage members). Resources without a
 * project belong to the instance admins.
 */
export class ProjectAccess {
  constructor(private readonly storage: Storage) {}

  /** Project ids the user may see; undefined = all. */
  async visibleProjects(user: User): Promise<Set<string> | undefined> {
    if (isInstanceAdmin(user)) return undefined;
    const projects = await this.storage.projects.listForUser(user.id);
    return new Set(projects.map((p) => p.id));
  }

  async can(user: User, projectId: string | null, access: Access): Promise<boolean> {
    if (isInstanceAdmin(user)) return true;
    if (projectId === null) return false;
    const projects = await this.storage.projects.listForUser(user.id);
    const role = projects.find((p) => p.id === projectId)?.role;
    if (!role) return false;
    if (access === 'manage') return role === 'owner' || role === 'admin';
    return true;
  }

  /** Throws 404 (not 403) for what the user cannot see, so ids do not leak. */
  async require(user: User, projectId: string | null, access: Access, what: string): Promise<void> {
    if (await this.can(user, projectId, 'read')) {
      if (access === 'read' || (await this.can(user, projectId, access))) return;
      throw httpError('FORBIDDEN', `you may not change ${what}`);
    }
    throw httpError('NOT_FOUND', `${what} does not exist`);
  }

  /** The project new things of a user go to by default: their personal project. */
  async defaultProject(user: User): Promise<string | null> {
    const projects = await this.storage.projects.listForUser(user.id);
    return projects.find((p) => p.type === 'personal')?.id ?? projects[0]?.id ?? null;
  }
}
