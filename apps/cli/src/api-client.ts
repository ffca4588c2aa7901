import { CliError, EXIT } from './output.js';

/** Talks to a running BudFlow server at `BUDFLOW_URL` with the API key `BUDFLOW_API_KEY`. */
export interface ServerClient {
  readonly url: string;
  /** Calls `/api/v1<path>` and returns the JSON body; maps HTTP errors to CLI exit codes. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** A raw GET of a server path (`/healthz`, `/metrics`): status and text, never throws on status. */
  get(path: string): Promise<{ status: number; text: string }>;
}

export const API_KEY_HEADER = 'X-BUDFLOW-API-KEY';

/** The server client, or undefined when `BUDFLOW_URL` is not set. */
export function optionalServerClient(
  env: Record<string, string | undefined> = process.env,
): ServerClient | undefined {
  return env.BUDFLOW_URL ? serverClient(env) : undefined;
}

export function serverClient(env: Record<string, string | undefined> = process.env): ServerClient {
  const base = env.BUDFLOW_URL?.replace(/\/+$/, '');
  if (!base) {
    throw new CliError(
      'this command talks to a running server: set BUDFLOW_URL (e.g. http://localhost:5678) and BUDFLOW_API_KEY',
      EXIT.USAGE,
    );
  }
  const apiKey = env.BUDFLOW_API_KEY;
  const send = async (method: string, path: string, body?: unknown): Promise<Response> => {
    try {
      return await fetch(base + path, {
        method,
        headers: {
          accept: 'application/json',
          ...(apiKey ? { [API_KEY_HEADER]: apiKey } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(Number(env.BUDFLOW_CLI_TIMEOUT_MS ?? 10_000)),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach the server at ${base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
        EXIT.UNAVAILABLE,
      );
    }
  };
  return {
    url: base,
    async api<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await send(method, `/api/v1${path}`, body);
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (response.ok) return json as T;
      const message =
        (json as { message?: string; error?: { message?: string } } | undefined)?.message ??
        (json as { error?: { message?: string } } | undefined)?.error?.message ??
        (text.slice(0, 200) || response.statusText);
      const what = `${method} ${path}: ${response.status} ${message}`;
      if (response.status === 401 || response.status === 403) {
        throw new CliError(
          `the server refused the API key (${what}); set BUDFLOW_API_KEY to a valid key`,
          EXIT.UNAUTHORIZED,
        );
      }
      if (response.status === 404) throw new CliError(what, EXIT.NOT_FOUND);
      if (response.status === 409) throw new CliError(what, EXIT.CONFLICT);
      if (response.status >= 500) throw new CliError(what, EXIT.UNAVAILABLE);
      throw new CliError(what, EXIT.FAILED);
    },
    async get(path: string) {
      const response = await send('GET', path);
      return { status: response.status, text: await response.text() };
    },
  };
}
