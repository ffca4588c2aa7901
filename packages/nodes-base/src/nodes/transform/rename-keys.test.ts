import { runNode } from '@budflow/node-sdk/testing';
import { describe, expect, it } from 'vitest';
import { renameKeysNode } from './rename-keys.js';

describe('Rename Keys', () => {
  it('renames keys, nested ones with dot notation, ignoring missing ones', async () => {
    const { json } = await runNode(renameKeysNode, {
      items: [{ a: 1, user: { first: 'x' }, keep: true }],
      params: {
        keys: {
          key: [
            { currentKey: 'a', newKey: 'b' },
            { currentKey: 'user.first', newKey: 'firstName' },
            { currentKey: 'missing', newKey: 'other' },
            { currentKey: '', newKey: 'blank' },
          ],
        },
      },
    });
    expect(json).toEqual([{ b: 1, user: {}, keep: true, firstName: 'x' }]);
  });

  it('does not change the input item', async () => {
    const input = { json: { user: { first: 'x' } } };
    await runNode(renameKeysNode, {
      items: [input],
      params: { keys: { key: [{ currentKey: 'user.first', newKey: 'user.given' }] } },
    });
    expect(input.json).toEqual({ user: { first: 'x' } });
  });

  it('renames by regular expression, down to a depth, optionally ignoring case', async () => {
    const item = { Old_a: 1, nested: { old_b: 2, deeper: { old_c: 3 } }, list: [{ old_d: 4 }] };
    const all = await runNode(renameKeysNode, {
      items: [item],
      params: {
        additionalOptions: {
          regexReplacement: {
            replacements: [
              {
                searchRegex: '^old_(\\w)',
                replaceRegex: 'new_$1',
                options: { caseInsensitive: true },
              },
            ],
          },
        },
      },
    });
    expect(all.json[0]).toEqual({
      new_a: 1,
      nested: { new_b: 2, deeper: { new_c: 3 } },
      list: [{ new_d: 4 }],
    });
    const top = await runNode(renameKeysNode, {
      items: [item],
      params: {
        additionalOptions: {
          regexReplacement: {
            replacements: [{ searchRegex: '^old', replaceRegex: 'new', options: { depth: 0 } }],
          },
        },
      },
    });
    expect(top.json[0]).toEqual(item);
  });

  it('names a bad regular expression', async () => {
    await expect(
      runNode(renameKeysNode, {
        items: [{ a: 1 }],
        params: {
          additionalOptions: { regexReplacement: { replacements: [{ searchRegex: '(' }] } },
        },
      }),
    ).rejects.toThrow("Invalid regular expression '('");
  });

  it('refuses prototype-pollution targets', async () => {
    await expect(
      runNode(renameKeysNode, {
        items: [{ a: { polluted: true } }],
        params: { keys: { key: [{ currentKey: 'a', newKey: '__proto__' }] } },
      }),
    ).rejects.toThrow("Invalid new key name '__proto__'");
    const { json } = await runNode(renameKeysNode, {
      items: [{ a: 1 }],
      params: {
        additionalOptions: {
          regexReplacement: { replacements: [{ searchRegex: '^a$', replaceRegex: '__proto__' }] },
        },
      },
    });
    expect(Object.getPrototypeOf(json[0])).toBe(Object.prototype);
    expect(Object.keys(json[0]!)).toEqual(['__proto__']);
  });

  it('refuses patterns that may backtrack catastrophically, with the message n8n gives', async () => {
    for (const pattern of ['(a+)+b', '(a|a)*b', 'aaaaaaaaa*c']) {
      await expect(
        runNode(renameKeysNode, {
          items: [{ ['a'.repeat(30)]: 1 }],
          params: {
            additionalOptions: {
              regexReplacement: { replacements: [{ searchRegex: pattern, replaceRegex: 'x' }] },
            },
          },
        }),
      ).rejects.toThrow(`Regex pattern "${pattern}" may cause performance issues.`);
    }
  });
});
