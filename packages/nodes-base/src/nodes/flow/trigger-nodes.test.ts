import { runNode } from '@budflow/node-sdk/testing';
import { describe, expect, it } from 'vitest';
import { manualTriggerNode, noOpNode, startNode, stopAndErrorNode } from './trigger-nodes.js';

describe('trigger and utility nodes', () => {
  it('Manual Trigger emits one empty item', async () => {
    expect((await runNode(manualTriggerNode, { items: [{ a: 1 }] })).json).toEqual([{}]);
    expect(manualTriggerNode.trigger?.kind).toBe('manual');
  });

  it('Start passes its input through', async () => {
    expect((await runNode(startNode, { items: [{ a: 1 }] })).json).toEqual([{ a: 1 }]);
  });

  it('No Operation passes items through', async () => {
    const items = [{ a: 1 }, { b: 2 }];
    expect((await runNode(noOpNode, { items })).json).toEqual(items);
    expect((await runNode(noOpNode, { items: [] })).json).toEqual([]);
  });

  it('Stop and Error throws the message or the error object', async () => {
    await expect(runNode(stopAndErrorNode, { params: { errorMessage: 'boom' } })).rejects.toThrow(
      'boom',
    );
    await expect(
      runNode(stopAndErrorNode, {
        params: {
          errorType: 'errorObject',
          errorObject: '{"code": "404", "message": "not found"}',
        },
      }),
    ).rejects.toThrow('not found');
    await expect(
      runNode(stopAndErrorNode, { params: { errorType: 'errorObject', errorObject: '{oops' } }),
    ).rejects.toThrow("The parameter 'Error Object' is not valid JSON");
  });
});
