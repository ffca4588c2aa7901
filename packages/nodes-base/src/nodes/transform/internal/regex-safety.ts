import { NodeError } from '@budflow/node-sdk';

/*
 * User regular expressions run in the host's regex engine against user data, so a pattern with
 * catastrophic backtracking could stall the process. n8n refuses such patterns; so do we, using
 * recheck (a ReDoS checker) once per distinct pattern. A check that cannot decide lets it through.
 */
const verdicts = new Map<string, Promise<boolean>>();
const MAX_CACHED = 1000;
const CHECK_TIMEOUT_MS = 5_000;

async function isVulnerable(source: string, flags: string): Promise<boolean> {
  try {
    // recheck is loaded on first use (~25 MB): most workflows use no regular expressions.
    const { check } = await import('recheck');
    const result = await check(source, flags, { timeout: CHECK_TIMEOUT_MS });
    return result.status === 'vulnerable';
  } catch {
    return false;
  }
}

/** Throws n8n's error for a pattern that may backtrack catastrophically. */
export async function assertSafeRegex(source: string, flags: string, itemIndex?: number) {
  const key = `${flags}/${source}`;
  let verdict = verdicts.get(key);
  if (!verdict) {
    if (verdicts.size >= MAX_CACHED) verdicts.clear();
    verdict = isVulnerable(source, flags);
    verdicts.set(key, verdict);
  }
  if (await verdict) {
    throw new NodeError(
      `Regex pattern "${source}" may cause performance issues. Please try a simpler pattern like "[a-z]+" or "\\w+". `,
      { itemIndex },
    );
  }
}
