import type { SerializedError } from '@budflow/node-sdk';

export const REDACTED = '[REDACTED]';
/** Shorter values are not redacted: replacing every "a" or "1" would destroy the output. */
export const MIN_REDACTED_LENGTH = 4;

/**
 * Collects credential values as nodes use them and removes them from anything that leaves the
 * engine: errors, log lines, execution data. Values are matched anywhere inside strings.
 */
export class SecretRedactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  /** Adds every string leaf of `data` (a decrypted credential) to the values to redact. */
  add(data: unknown): this {
    const before = this.secrets.size;
    collect(data, this.secrets, 0);
    if (this.secrets.size !== before) this.pattern = undefined;
    return this;
  }

  get size(): number {
    return this.secrets.size;
  }

  redactString(text: string): string {
    if (this.secrets.size === 0) return text;
    this.pattern ??= new RegExp(
      [...this.secrets]
        .sort((a, b) => b.length - a.length)
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    );
    return text.replace(this.pattern, REDACTED);
  }

  /** A deep copy of `value` with secret values replaced; plain data only (JSON-like). */
  redact<T>(value: T): T {
    if (this.secrets.size === 0) return value;
    return this.walk(value, 0) as T;
  }

  /** The error's message, description, stack and details with secrets removed. */
  redactError(error: unknown): SerializedError {
    const serialized = serializeError(error);
    return this.redact(serialized);
  }

  private walk(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.redactString(value);
    if (value === null || typeof value !== 'object' || depth > 100) return value;
    if (Array.isArray(value)) return value.map((v) => this.walk(v, depth + 1));
    if (value instanceof Error) return this.redactError(value);
    if (value instanceof Date || Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      // defineProperty: a '__proto__' key stays an own property and never becomes the prototype.
      Object.defineProperty(out, key, {
        value: this.walk(v, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
}

function collect(value: unknown, into: Set<string>, depth: number): void {
  if (typeof value === 'string') {
    if (value.length >= MIN_REDACTED_LENGTH) into.add(value);
    return;
  }
  if (typeof value === 'number' && String(value).length >= MIN_REDACTED_LENGTH + 2) {
    into.add(String(value));
    return;
  }
  if (value === null || typeof value !== 'object' || depth > 20) return;
  for (const v of Array.isArray(value) ? value : Object.values(value)) collect(v, into, depth + 1);
}

function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const e = error as Error & {
      code?: unknown;
      details?: unknown;
      description?: unknown;
      nodeName?: unknown;
      itemIndex?: unknown;
    };
    return {
      name: e.name,
      code: typeof e.code === 'string' ? e.code : 'INTERNAL',
      message: e.message,
      ...(typeof e.description === 'string' ? { description: e.description } : {}),
      ...(typeof e.nodeName === 'string' ? { nodeName: e.nodeName } : {}),
      ...(typeof e.itemIndex === 'number' ? { itemIndex: e.itemIndex } : {}),
      ...(e.details && typeof e.details === 'object'
        ? { details: e.details as Record<string, unknown> }
        : {}),
      ...(e.stack ? { stack: e.stack } : {}),
    };
  }
  if (error && typeof error === 'object' && 'message' in error) {
    const e = error as Partial<SerializedError>;
    return {
      ...e,
      name: e.name ?? 'Error',
      code: e.code ?? 'INTERNAL',
      message: String(e.message),
    };
  }
  return { name: 'Error', code: 'INTERNAL', message: String(error) };
}

interface LoggerLike {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** A logger that removes the redactor's secrets from every message and its metadata. */
export function redactLogger<L extends LoggerLike>(
  logger: L,
  redactor: SecretRedactor,
): LoggerLike {
  const wrap = (level: keyof LoggerLike) => (message: string, meta?: Record<string, unknown>) =>
    meta === undefined
      ? logger[level](redactor.redactString(message))
      : logger[level](redactor.redactString(message), redactor.redact(meta));
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}

/**
 * An execution observer that passes each event on with the redactor's secrets removed (for live
 * streams and logs; the engine's own data is untouched).
 */
export function redactObserver<E>(
  observer: { onEvent(event: E): void | Promise<void> },
  redactor: SecretRedactor,
): { onEvent(event: E): void | Promise<void> } {
  return { onEvent: (event) => observer.onEvent(redactor.redact(event)) };
}
