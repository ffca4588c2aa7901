import { describe, expect, it } from 'vitest';
import { parseServerConfig } from './server-config.js';

describe('parseServerConfig', () => {
  it('gives the single-process defaults', () => {
    const config = parseServerConfig({ BUDFLOW_DATA_DIR: '/tmp/bf' });
    expect(config.port).toBe(5678);
    expect(config.database).toEqual({ dialect: 'sqlite', dataDir: '/tmp/bf' });
    expect(config.payloadLimit).toBe(16 * 1024 * 1024);
    expect(config.saveSuccessfulExecutions).toBe(true);
    expect(config.testWebhookTtlMs).toBe(120_000);
  });

  it('switches to PostgreSQL with DATABASE_URL and reads sizes and flags', () => {
    const config = parseServerConfig({
      DATABASE_URL: 'postgres://u@db:5432/x',
      BUDFLOW_PAYLOAD_LIMIT: '2mb',
      BUDFLOW_API_PAYLOAD_LIMIT: '512kb',
      BUDFLOW_SAVE_SUCCESSFUL_EXECUTIONS: 'false',
      BUDFLOW_PUBLIC_URL: 'https://flows.example.com/',
    });
    expect(config.database).toEqual({ dialect: 'postgres', url: 'postgres://u@db:5432/x' });
    expect(config.payloadLimit).toBe(2 * 1024 * 1024);
    expect(config.apiPayloadLimit).toBe(512 * 1024);
    expect(config.saveSuccessfulExecutions).toBe(false);
    expect(config.publicUrl).toBe('https://flows.example.com');
  });

  it('treats empty variables as unset', () => {
    expect(parseServerConfig({ BUDFLOW_PORT: '' }).port).toBe(5678);
  });

  it('names every invalid variable in one error', () => {
    expect(() =>
      parseServerConfig({
        BUDFLOW_PORT: 'eighty',
        BUDFLOW_TIMEZONE: 'Mars/Olympus',
        DATABASE_URL: 'mysql://x',
        BUDFLOW_PAYLOAD_LIMIT: 'lots',
      }),
    ).toThrowError(
      expect.objectContaining({
        code: 'SERVER_CONFIG_INVALID',
        message: expect.stringMatching(
          /BUDFLOW_PORT[\s\S]*DATABASE_URL[\s\S]*BUDFLOW_PAYLOAD_LIMIT[\s\S]*BUDFLOW_TIMEZONE/,
        ),
      }),
    );
  });
});
