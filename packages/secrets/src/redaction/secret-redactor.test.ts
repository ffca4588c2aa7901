import { BudflowError } from '@budflow/node-sdk';
import { describe, expect, it, vi } from 'vitest';
import { REDACTED, SecretRedactor, redactLogger, redactObserver } from './secret-redactor.js';

describe('SecretRedactor', () => {
  it('removes credential values from nested execution data', () => {
    const redactor = new SecretRedactor().add({ user: 'alice', password: 'hunter22', port: 5432 });
    const data = {
      json: { header: 'Authorization: Basic alice:hunter22', list: ['hunter22', 'ok'] },
      count: 3,
    };
    expect(redactor.redact(data)).toEqual({
      json: { header: `Authorization: Basic ${REDACTED}:${REDACTED}`, list: [REDACTED, 'ok'] },
      count: 3,
    });
    expect(data.json.list[0]).toBe('hunter22');
  });

  it('leaves very short values alone', () => {
    const redactor = new SecretRedactor().add({ region: 'eu', token: 'abcd' });
    expect(redactor.redact('eu abcd')).toBe(`eu ${REDACTED}`);
  });

  it('treats regex characters in secrets literally', () => {
    const redactor = new SecretRedactor().add({ password: 'a.b*c(d' });
    expect(redactor.redactString('x a.b*c(d y aXbbc(d')).toBe(`x ${REDACTED} y aXbbc(d`);
  });

  it('redacts errors: message, details and stack', () => {
    const redactor = new SecretRedactor().add({ apiKey: 'sk-live-123456' });
    const error = new BudflowError('X', 'request failed with key sk-live-123456', {
      details: { url: 'https://api?key=sk-live-123456' },
    });
    const out = redactor.redactError(error);
    expect(out.code).toBe('X');
    expect(JSON.stringify(out)).not.toContain('sk-live-123456');
    expect(out.message).toBe(`request failed with key ${REDACTED}`);
  });

  it('does not let a __proto__ key pollute', () => {
    const redactor = new SecretRedactor().add({ p: 'secretvalue' });
    const input = JSON.parse('{"__proto__": {"polluted": "secretvalue"}}');
    const out = redactor.redact(input) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({
      polluted: REDACTED,
    });
  });

  it('returns the value unchanged when it knows no secret', () => {
    const value = { a: 'b' };
    expect(new SecretRedactor().redact(value)).toBe(value);
  });
});

describe('redactLogger and redactObserver', () => {
  it('remove secrets from log lines, their metadata and streamed events', async () => {
    const redactor = new SecretRedactor().add({ token: 'tok-abcdef' });
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const safe = redactLogger(logger, redactor);
    safe.warn('calling with tok-abcdef', { headers: { auth: 'Bearer tok-abcdef' } });
    safe.info('plain');
    expect(logger.warn).toHaveBeenCalledWith(`calling with ${REDACTED}`, {
      headers: { auth: `Bearer ${REDACTED}` },
    });
    expect(logger.info).toHaveBeenCalledWith('plain');

    const seen: unknown[] = [];
    const observer = redactObserver({ onEvent: (e: unknown) => void seen.push(e) }, redactor);
    const event = {
      type: 'node.finished',
      task: { data: { main: [[{ json: { t: 'tok-abcdef' } }]] } },
    };
    await observer.onEvent(event);
    expect(JSON.stringify(seen)).not.toContain('tok-abcdef');
    expect(event.task.data.main[0]![0]!.json.t).toBe('tok-abcdef');
  });
});
