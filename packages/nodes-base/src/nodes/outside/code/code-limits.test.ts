import { afterAll, describe, expect, it } from 'vitest';
import { runTestNode } from '../internal/test-harness.js';
import { createCodeNodes } from './code-nodes.js';

// Worker isolation, as in production: a runaway script must not block this thread.
const nodes = createCodeNodes({ limits: { timeoutMs: 300, outputBytes: 100_000 } });
const small = createCodeNodes({ limits: { timeoutMs: 10_000, memoryBytes: 48 * 1024 * 1024 } });
afterAll(() => Promise.all([nodes.close(), small.close()]));

const run = (jsCode: string, set = nodes) =>
  runTestNode(set.codeNode, { params: { jsCode } }).then(
    () => undefined,
    (e: unknown) => e as Error & { code?: string },
  );

describe('Code node limits', () => {
  it('stops an infinite loop at the time limit', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const error = await run('while (true) {}');
    clearInterval(timer);
    expect(error?.code).toBe('SANDBOX_TIMEOUT');
    expect(error?.message).toMatch(/did not finish within 300 ms/);
    // The event loop kept running while the script spun in its worker.
    expect(ticks).toBeGreaterThan(0);
  });

  it('stops a memory bomb at the memory limit', { timeout: 30_000 }, async () => {
    const error = await run("let s = 'memory bomb';\nwhile (true) s = s + s;", small);
    expect(error?.code).toBe('SANDBOX_MEMORY');
  });

  it('refuses output larger than the limit', async () => {
    const error = await run('return [{ json: { big: "y".repeat(200000) } }];');
    expect(error?.code).toBe('SANDBOX_OUTPUT_TOO_LARGE');
  });

  it('still runs ordinary code after those failures', async () => {
    const result = await runTestNode(nodes.codeNode, {
      params: { jsCode: 'return [{ ok: true }];' },
    });
    expect(result.json).toEqual([{ ok: true }]);
  });
});
