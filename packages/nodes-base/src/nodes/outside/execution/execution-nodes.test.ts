import { describe, expect, it } from 'vitest';
import { runTestNode } from '../internal/test-harness.js';
import { errorTriggerItem, errorTriggerNode, executionDataNode } from './execution-nodes.js';

describe('Error Trigger', () => {
  it('emits n8n’s example data in a manual run and passes real error data through', async () => {
    const manual = await runTestNode(errorTriggerNode);
    expect(manual.json[0]).toMatchObject({
      execution: {
        error: { message: 'Example Error Message' },
        lastNodeExecuted: 'Node With Error',
      },
      workflow: { name: 'Example Workflow' },
    });
    const data = errorTriggerItem({
      execution: {
        id: 'e1',
        error: { message: 'boom' },
        lastNodeExecuted: 'HTTP',
        mode: 'trigger',
      },
      workflow: { id: 'w1', name: 'Orders' },
    });
    const real = await runTestNode(errorTriggerNode, { mode: 'error', items: [data] });
    expect(real.json).toEqual([data]);
  });
});

describe('Execution Data', () => {
  it('saves custom data on the execution and passes items through', async () => {
    const result = await runTestNode(executionDataNode, {
      items: [{ id: 7 }],
      params: {
        dataToSave: {
          values: [
            { key: 'orderId', value: '7' },
            { key: '__proto__', value: 'x' },
          ],
        },
      },
    });
    expect(result.customData).toEqual({ orderId: '7' });
    expect(Object.getPrototypeOf(result.customData)).toBe(Object.prototype);
    expect(result.json).toEqual([{ id: 7 }]);
  });

  it('keeps at most 10 keys and truncates long keys', async () => {
    const values = Array.from({ length: 12 }, (_, i) => ({ key: `k${i}`, value: String(i) }));
    values.push({ key: 'x'.repeat(80), value: 'v' });
    const result = await runTestNode(executionDataNode, { params: { dataToSave: { values } } });
    expect(Object.keys(result.customData)).toHaveLength(10);
    expect(result.logs.some((l) => l.level === 'warn')).toBe(true);
    const long = await runTestNode(executionDataNode, {
      params: { dataToSave: { values: [{ key: 'y'.repeat(80), value: 'v' }] } },
    });
    expect(Object.keys(long.customData)[0]).toHaveLength(50);
  });
});
