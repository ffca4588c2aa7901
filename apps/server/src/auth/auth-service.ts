import { createHash, hkdfSync, timingSafeEqual } from 'node:crypto';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import type { Storage, User } from '@budflow/storage';
import { SignJWT, jwtVerify } from 'jose';
import { httpError } from '../http/http-error.js';

export const SESSION_COOKIE = 'budflow-auth';
export const API_KEY_HEADER = 'x-budflow-api-key';
export type Role = 'owner' | 'admin' | 'member';
export const ROLES: readonly Role[] = ['owner', 'admin', 'member'];

/** Compares two secrets in constant time (lengths are hidden by hashing first). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

export function hashPassword(password: string): Promise<string> {
  return argonHash(password);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argonVerify(hash, password);
  } catch {
    return false;
  }
}

/** A user as the API shows it: never the password hash. */
export interface PublicUser {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  role: string;
  disabled: boolean;
  createdAt: number;
}

export function publicUser(user: User): PublicUser {
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    role: user.role,
    disabled: user.disabled,
    createdAt: user.createdAt,
  };
}

/** Login attempts per key in a sliding minute; the limiter counts failures only. */
export class LoginRateLimiter {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();
  constructor(
    private readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  check(key: string): void {
    const entry = this.failures.get(key);
    if (entry && entry.resetAt > this.now() && entry.count >= this.limit) {
      throw httpError(
        'RATE_LIMITED',
        `too many failed logins; try again in ${Math.ceil((entry.resetAt - this.now()) / 1000)} s`,
      );
    }
  }

  fail(key: string): void {
    const now = this.now();
    const entry = this.failures.get(key);
    if (!entry || entry.resetAt <= now) this.failures.set(key, { count: 1, resetAt: now + 60_000 });
    else entry.count++;
    if (this.failures.size > 10_000) {
      for (const [k, v] of this.failures) if (v.resetAt <= now) this.failures.delete(k);
    }
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}

export interface AuthServiceOptions {
  storage: Storage;
  /** Signs session tokens. */
  secret: Uint8Array;
  sessionTtlSeconds: number;
  loginRateLimit: number;
}

/** Derives the session signing key from the configured secret or the encryption key. */
export function sessionSecret(jwtSecret: string | undefined, encryptionKey: string): Uint8Array {
  if (jwtSecret) return new TextEncoder().encode(jwtSecret);
  return new Uint8Array(hkdfSync('sha256', encryptionKey, 'budflow', 'budflow-session-v1', 32));
}

/** Fingerprint of the password hash: a session dies when the password changes. */
const fingerprint = (user: User) =>
  createHash('sha256')
    .update(user.passwordHash ?? '')
    .digest('base64url')
    .slice(0, 16);

export class AuthService {
  readonly limiter: LoginRateLimiter;
  constructor(private readonly o: AuthServiceOptions) {
    this.limiter = new LoginRateLimiter(o.loginRateLimit);
  }

  async hasOwner(): Promise<boolean> {
    let cursor: string | undefined;
    do {
      const page = await this.o.storage.users.list({ limit: 500, ...(cursor ? { cursor } : {}) });
      if (page.items.some((u) => u.role === 'owner')) return true;
      cursor = page.nextCursor;
    } while (cursor);
    return false;
  }

  async createUser(input: {
    email: string;
    password: string;
    firstName?: string | null | undefined;
    lastName?: string | null | undefined;
    role: Role;
  }): Promise<User> {
    const passwordHash = await hashPassword(input.password);
    const user = await this.o.storage.users.create({
      email: input.email.toLowerCase(),
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      passwordHash,
      role: input.role,
    });
    // Every user gets a personal project, as in n8n: what they create lands there.
    const project = await this.o.storage.projects.create({
      name: `${input.email.toLowerCase()} (personal)`,
      type: 'personal',
    });
    await this.o.storage.projects.setMember(project.id, user.id, 'owner');
    return user;
  }

  async login(email: string, password: string, client: string): Promise<User> {
    const key = `${email.toLowerCase()}|${client}`;
    this.limiter.check(key);
    const user = await this.o.storage.users.getByEmail(email.toLowerCase());
    // Hash even for unknown users so the timing does not reveal which emails exist.
    const ok = user?.passwordHash
      ? await verifyPassword(user.passwordHash, password)
      : (await verifyPassword(DUMMY_HASH, password), false);
    if (!user || !ok || user.disabled) {
      this.limiter.fail(key);
      throw httpError('UNAUTHENTICATED', 'wrong email or password');
    }
    this.limiter.succeed(key);
    return user;
  }

  async issueSession(user: User): Promise<string> {
    return new SignJWT({ fp: fingerprint(user) })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuedAt()
      .setExpirationTime(`${this.o.sessionTtlSeconds}s`)
      .sign(this.o.secret);
  }

  async verifySession(token: string): Promise<User | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.o.secret, { algorithms: ['HS256'] });
      if (!payload.sub) return undefined;
      const user = await this.o.storage.users.get(payload.sub);
      if (!user || user.disabled || typeof payload.fp !== 'string') return undefined;
      return safeEqual(payload.fp, fingerprint(user)) ? user : undefined;
    } catch {
      return undefined;
    }
  }

  async verifyApiKey(key: string): Promise<User | undefined> {
    const record = await this.o.storage.apiKeys.verify(key);
    if (!record) return undefined;
    const user = await this.o.storage.users.get(record.userId);
    return user && !user.disabled ? user : undefined;
  }
}

// A valid argon2 hash of a random string, verified against for unknown emails.
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$0jsSa8vTSyGXz3QZJ3Fqyw$3HxN2Ht2pMjcr1Ih4Sb6JYVW8y3S8zj3LxL8l4Tlq4s';
