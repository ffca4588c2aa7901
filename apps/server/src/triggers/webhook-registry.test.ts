import type { JsonObject } from '@budflow/node-sdk';
import { describe, expect, it } from 'vitest';
import {
  WebhookIndex,
  webhookMethodsOf,
  webhookPathOf,
  type WebhookRegistration,
} from './webhook-registry.js';

const reg = (
  method: string,
  path: string,
  extra: Partial<WebhookRegistration> = {},
): WebhookRegistration => ({
  method,
  path,
  workflowId: 'w1',
  nodeName: 'Webhook',
  document: {},
  parsed: undefined,
  projectId: null,
  versionId: null,
  parameters: {},
  nodeCredentials: {},
  test: false,
  ...extra,
});

describe('WebhookIndex', () => {
  it('prefers a static path, then the most specific dynamic one, and decodes parameters', () => {
    const index = new WebhookIndex();
    index.add(reg('GET', 'users/:id'));
    index.add(reg('GET', 'users/me', { nodeName: 'Me' }));
    index.add(reg('GET', ':a/:b', { nodeName: 'Any' }));
    expect(index.find('GET', '/users/me')?.registration.nodeName).toBe('Me');
    const hit = index.find('get', 'users/J%C3%BCrgen');
    expect(hit?.registration.path).toBe('users/:id');
    expect(hit?.params).toEqual({ id: 'Jürgen' });
    expect(index.find('GET', 'x/y')?.registration.nodeName).toBe('Any');
    expect(index.find('POST', 'users/me')).toBeUndefined();
  });

  it('never lets a parameter name pollute the prototype', () => {
    const index = new WebhookIndex();
    index.add(reg('GET', 'a/:__proto__'));
    const hit = index.find('GET', 'a/polluted');
    expect(Object.getPrototypeOf(hit!.params)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('forgets expired test webhooks and removes a workflow', () => {
    const index = new WebhookIndex();
    index.add(reg('POST', 'hook', { test: true, expiresAt: 1000 }));
    expect(index.find('POST', 'hook', 999)).toBeDefined();
    expect(index.find('POST', 'hook', 1000)).toBeUndefined();
    index.add(reg('POST', 'other'));
    expect(index.removeWorkflow('w1', false)).toBe(1);
    expect(index.find('POST', 'other')).toBeUndefined();
  });
});

describe('webhook paths and methods of a node', () => {
  const node = (parameters: JsonObject, webhookId?: string): JsonObject => ({
    name: 'Webhook',
    parameters,
    ...(webhookId ? { webhookId } : {}),
  });
  it('follows n8n: empty path uses the webhook id, dynamic paths are prefixed with it', () => {
    expect(webhookPathOf(node({ path: '/orders/' }, 'abc'), 'w')).toBe('orders');
    expect(webhookPathOf(node({ path: '' }, 'abc'), 'w')).toBe('abc');
    expect(webhookPathOf(node({ path: 'user/:id' }, 'abc'), 'w')).toBe('abc/user/:id');
    expect(webhookPathOf(node({}), 'w')).toBe('w/webhook');
  });
  it('reads one method, a list, or GET by default', () => {
    expect(webhookMethodsOf(node({ httpMethod: 'post' }))).toEqual(['POST']);
    expect(webhookMethodsOf(node({ httpMethod: ['GET', 'PUT'], multipleMethods: true }))).toEqual([
      'GET',
      'PUT',
    ]);
    expect(webhookMethodsOf(node({}))).toEqual(['GET']);
  });
});
