import { afterAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import type { ExpressionScope, JsonObject } from '@budflow/node-sdk';
import { createExpressionEvaluator } from './create-expression-evaluator.js';
import { createSingleItemScope } from './scope/single-item-scope.js';

const NOW = Date.UTC(2024, 0, 15, 10, 30, 0);
const evaluator = createExpressionEvaluator({ isolation: 'inline', now: () => NOW });
afterAll(() => evaluator.close());

function scope(json: JsonObject = {}, patch: Partial<ExpressionScope> = {}): ExpressionScope {
  return { ...createSingleItemScope({ json, nodeName: 'Edit Fields' }), ...patch };
}
const ev = (expression: string, s: ExpressionScope = scope()) =>
  evaluator.evaluate(expression, s, 0);

describe('variables', () => {
  it('$json, $data, $binary, $thisItem, $itemIndex, $runIndex, $nodeVersion', async () => {
    const s = scope({ a: 1 });
    s.items[0]!.binary = { file: { data: 'aGk=', mimeType: 'text/plain', fileName: 'a.txt' } };
    expect(
      await ev(
        '={{ [$json.a, $data.a, $binary.file.fileName, $thisItem.json.a, $itemIndex, $runIndex, $nodeVersion] }}',
        s,
      ),
    ).toEqual([1, 1, 'a.txt', 1, 0, 0, 3.4]);
  });

  it('$input and $parameter see the node input and its raw parameters', async () => {
    const s = scope({ a: 1 }, { nodeParameters: { mode: 'raw', value: '={{ 1 }}' } });
    s.items.push({ json: { a: 2 }, pairedItem: { item: 1 } });
    s.inputs = [s.items];
    expect(
      await ev(
        '={{ [$input.item.json.a, $input.all().length, $input.first().json.a, $input.last().json.a, $input.params.mode, $parameter.value] }}',
        s,
      ),
    ).toEqual([1, 2, 1, 2, 'raw', '={{ 1 }}']);
  });

  it('$now and $today are Luxon DateTimes in the workflow time zone', async () => {
    const s = scope({}, {});
    s.workflow = { ...s.workflow, timezone: 'America/New_York' };
    expect(await ev('={{ $now.toISO() }}', s)).toBe('2024-01-15T05:30:00.000-05:00');
    expect(await ev('={{ $today.toISO() }}', s)).toBe('2024-01-15T00:00:00.000-05:00');
    const now = await ev('={{ $now }}', s);
    expect(DateTime.isDateTime(now) && now.zoneName).toBe('America/New_York');
  });

  it('$execution, $workflow, $vars, $secrets', async () => {
    const s = scope(
      {},
      {
        execution: {
          id: 'ex-1',
          mode: 'manual',
          resumeUrl: 'http://h/webhook-waiting/ex-1',
          customData: { k: 'v' },
        },
        vars: { region: 'eu' },
        secrets: { vault: { token: 's3cret' } },
      },
    );
    s.workflow = { ...s.workflow, id: 'wf-1', name: 'Flow', active: true };
    expect(
      await ev(
        '={{ [$execution.id, $execution.mode, $execution.resumeUrl, $execution.customData.get("k"), $workflow.id, $workflow.name, $workflow.active, $vars.region, $secrets.vault.token] }}',
        s,
      ),
    ).toEqual([
      'ex-1',
      'test',
      'http://h/webhook-waiting/ex-1',
      'v',
      'wf-1',
      'Flow',
      true,
      'eu',
      's3cret',
    ]);
    expect(
      await ev(
        '={{ $execution.mode }}',
        scope({}, { execution: { id: '2', mode: 'trigger', customData: {} } }),
      ),
    ).toBe('production');
  });

  it('$execution.customData.set() keeps the value on the execution, as in n8n', async () => {
    const s = scope({ id: 7 });
    expect(
      await ev(
        '={{ $execution.customData.set("order", $json.id), $execution.customData.get("order") }}',
        s,
      ),
    ).toBe('7');
    expect(s.execution.customData).toEqual({ order: '7' });
  });

  it('$env is denied unless the instance provides it', async () => {
    await expect(ev('={{ $env.HOME }}')).rejects.toThrow(/access to env vars denied/);
    expect(await ev('={{ $env.REGION }}', scope({}, { env: { REGION: 'eu' } }))).toBe('eu');
  });

  it('$jmespath, $jsonata, $if, $ifEmpty, $not, $max, $min', async () => {
    const s = scope({
      people: [
        { n: 'a', age: 3 },
        { n: 'b', age: 40 },
      ],
    });
    expect(await ev('={{ $jmespath($json.people, "[?age > `10`].n") }}', s)).toEqual(['b']);
    expect(await ev('={{ $jsonata("$sum(people.age)", $json) }}', s)).toBe(43);
    expect(await ev('={{ $jsonata("people[age > 10].n", $json) }}', s)).toBe('b');
    await expect(ev('={{ $jsonata("people[", $json) }}', s)).rejects.toThrow(
      /invalid JSONata expression/,
    );
    expect(
      await ev(
        '={{ [$if(1 > 2, "y", "n"), $ifEmpty("", "d"), $ifEmpty(0, "d"), $not(0), $max(1, 5, 3), $min(4, 2)] }}',
      ),
    ).toEqual(['n', 'd', 0, true, 5, 2]);
  });

  it('$evaluateExpression evaluates a stored template for the current item', async () => {
    const s = scope({ stored: 'Hi {{ $json.name.toUpperCase() }}', name: 'ada' });
    expect(await ev('={{ $evaluateExpression($json.stored) }}', s)).toBe('Hi ADA');
  });

  it('extra keys a node adds ($response) are visible', async () => {
    expect(
      await ev(
        '={{ $response.body.next }}',
        scope({}, { additionalKeys: { $response: { body: { next: 2 } } } }),
      ),
    ).toBe(2);
  });
});

describe('extension methods', () => {
  it('strings', async () => {
    expect(
      await ev(
        '={{ ["hello world".toTitleCase(), "A B".toSnakeCase(), "  x ".trim().isEmpty(), "a@b.co".isEmail(), "see https://x.io/p now".extractUrl(), "12".toNumber() + 1, "abc".hash("sha256").length, "aGk=".base64Decode(), "<b>x</b>".removeTags()] }}',
      ),
    ).toEqual(['Hello World', 'a_b', false, true, 'https://x.io/p', 13, 64, 'hi', 'x']);
  });

  it('numbers and booleans', async () => {
    expect(
      await ev(
        '={{ [(1.256).round(2), (7).isOdd(), (3.7).floor(), (1234.5).format("de-DE"), (0).toBoolean(), true.toInt(), false.toNumber()] }}',
      ),
    ).toEqual([1.26, true, 3, '1.234,5', false, 1, 0]);
    await expect(ev('={{ (1.5).isEven() }}')).rejects.toThrow(
      /isEven\(\) is only callable on integers/,
    );
  });

  it('arrays', async () => {
    expect(
      await ev(
        '={{ [[1, 2, 2].unique(), [1, 2, 3].sum(), [1, null, 2].compact(), [{ a: 1 }, { a: 2 }].pluck("a"), [1, 2, 3, 4, 5].chunk(2), [1, 2].union([2, 3]), [1, 2, 3].difference([2]), ["x"].first(), [3, 9].max()] }}',
      ),
    ).toEqual([[1, 2], 6, [1, 2], [1, 2], [[1, 2], [3, 4], [5]], [1, 2, 3], [1, 3], 'x', 9]);
  });

  it('objects', async () => {
    expect(
      await ev(
        '={{ [({ a: 1, b: null }).compact(), ({ a: 1 }).hasField("a"), ({ a: 1, b: 2 }).removeField("a"), ({ a: "x y" }).urlEncode(), ({ a: 1 }).keys(), ({}).isEmpty()] }}',
      ),
    ).toEqual([{ a: 1 }, true, { b: 2 }, 'a=x+y', ['a'], true]);
  });

  it('dates, with Luxon DateTime, Duration and Interval', async () => {
    expect(
      await ev(
        '={{ ["2024-03-30T18:49:00Z".toDateTime().plus(1, "day").toISO(), DateTime.fromISO("2024-01-15T10:00:00Z").format("yyyy LLL dd"), "2024-01-20".toDateTime().isWeekend(), Duration.fromObject({ hours: 2 }).as("minutes"), Interval.fromDateTimes(DateTime.fromISO("2024-01-01"), DateTime.fromISO("2024-01-03")).length("days"), DateTime.fromISO("2024-03-30T18:49:00Z").diffTo("2024-03-29T18:49:00Z", "hours")] }}',
      ),
    ).toEqual(['2024-03-31T18:49:00.000Z', '2024 Jan 15', true, 120, 2, 24]);
    const dt = await ev('={{ "2024-03-29T18:06:31.798+01:00".toDateTime() }}');
    expect(DateTime.isDateTime(dt) && dt.toISO()).toBe('2024-03-29T18:06:31.798+01:00');
  });

  it('an extension called on null/undefined uses the generic version or yields undefined', async () => {
    expect(await ev('={{ [$json.missing.isEmpty(), $json.missing?.toTitleCase()] }}')).toEqual([
      true,
      null,
    ]);
    expect(await ev('={{ $json.missing.toTitleCase() }}')).toBeUndefined();
  });
});

describe('templates', () => {
  it('a single {{ }} keeps its type; mixed text is a string (false, null and undefined render empty)', async () => {
    expect(await ev('={{ [1, "a"] }}')).toEqual([1, 'a']);
    expect(await ev('=a{{ false }}b{{ null }}c{{ $json.x }}d{{ 0 }}e{{ [1, 2] }}f{{ {} }}')).toBe(
      'abcd0e1,2f[object Object]',
    );
    expect(await ev('=no braces')).toBe('no braces');
    expect(await ev('not an expression')).toBe('not an expression');
  });

  it('runtime errors inside {{ }} yield undefined, as in n8n', async () => {
    expect(await ev('={{ $json.a.b.c }}')).toBeUndefined();
    expect(await ev('={{ JSON.parse("{") }}')).toBeUndefined();
    expect(await ev('=x{{ $json.a.b.c }}y')).toBe('xy');
  });
});

describe('resolveParameters', () => {
  const two = () => {
    const s = scope({ n: 1 });
    s.items.push({ json: { n: 2 }, pairedItem: { item: 1 } });
    s.inputs = [s.items];
    return s;
  };

  it('resolves every expression of a parameter tree for each item, keeping literals', async () => {
    const value = {
      a: '={{ $json.n * 10 }}',
      list: ['x', '=n{{ $json.n }}'],
      keep: { deep: true },
      d: '={{ DateTime.fromMillis(0, { zone: "utc" }) }}',
      nested: '={{ { at: [new Date(0)] } }}',
    };
    const out = await evaluator.resolveParameters(value, two(), [0, 1]);
    expect(out).toEqual([
      {
        a: 10,
        list: ['x', 'n1'],
        keep: { deep: true },
        d: '1970-01-01T00:00:00.000Z',
        nested: { at: ['1970-01-01T00:00:00.000Z'] },
      },
      {
        a: 20,
        list: ['x', 'n2'],
        keep: { deep: true },
        d: '1970-01-01T00:00:00.000Z',
        nested: { at: ['1970-01-01T00:00:00.000Z'] },
      },
    ]);
    expect(out[0]).not.toBe(out[1]);
    expect((out[0] as JsonObject).keep).not.toBe(value.keep);
  });

  it('an item whose expression fails gets an ExpressionError naming node, parameter and item', async () => {
    const out = await evaluator.resolveParameters(
      { v: '={{ $json.n === 2 ? [1, "x"].sum() : $json.n }}' },
      two(),
      [0, 1],
    );
    expect(out[0]).toEqual({ v: 1 });
    expect(out[1]).toBeInstanceOf(Error);
    expect((out[1] as Error).message).toBe(
      "sum(): all array elements must be numbers [node 'Edit Fields', parameter 'v', item 1]",
    );
  });

  it('a syntax error names the node, the parameter and the position', async () => {
    const [e] = await evaluator.resolveParameters(
      { fields: [{ value: '=x {{ 1 + }}' }] },
      scope(),
      [0],
    );
    expect(e).toMatchObject({ code: 'EXPRESSION_SYNTAX', position: { start: 9, end: 9 } });
    expect((e as Error).message).toMatch(
      /^invalid syntax: .* at position 9 \[node 'Edit Fields', parameter 'fields\[0\]\.value', item 0\]$/,
    );
  });

  it('$items() sees whole items even when other expressions read only some $json keys', async () => {
    const out = await evaluator.resolveParameters(
      {
        a: '={{ $json.n.toString().padStart(2, "0") }}',
        b: '={{ $items().length + $items()[1].json.n }}',
      },
      two(),
      [0, 1],
    );
    expect(out).toEqual([
      { a: '01', b: 4 },
      { a: '02', b: 4 },
    ]);
  });

  it('parameters without expressions are copied per item', async () => {
    const value = { a: [1] };
    const out = await evaluator.resolveParameters(value, two(), [0, 1]);
    expect(out).toEqual([value, value]);
    expect(out[0]).not.toBe(value);
  });
});

describe('nodes without input items', () => {
  it('a trigger node still resolves its parameters; $json is empty', async () => {
    const s = scope();
    s.items = [];
    s.inputs = [[]];
    expect(
      await evaluator.resolveParameters(
        { a: '={{ $json.x ?? "none" }}', b: '={{ $now.year }}' },
        s,
        [0],
      ),
    ).toEqual([{ a: 'none', b: 2024 }]);
  });
});

describe('batching', () => {
  it('splits large item lists into several sandbox calls with the same results', async () => {
    const small = createExpressionEvaluator({
      isolation: 'inline',
      batchItems: 2,
      fastPath: false,
    });
    try {
      const s = scope({ n: 0 });
      for (let i = 1; i < 5; i++) s.items.push({ json: { n: i }, pairedItem: { item: i } });
      s.inputs = [s.items];
      const out = await small.resolveParameters(
        { v: '={{ $json.n * 2 }}', t: '=#{{ $itemIndex }}' },
        s,
        [0, 1, 2, 3, 4],
      );
      expect(out).toEqual([0, 1, 2, 3, 4].map((i) => ({ v: i * 2, t: `#${i}` })));
    } finally {
      await small.close();
    }
  });
});

describe('resolveParameterValues', () => {
  it('returns the expression values per item, in the order of their paths', async () => {
    const s = scope({ a: 1 });
    s.items.push({ json: { a: 2 }, pairedItem: { item: 1 } });
    const params = {
      list: [{ name: 'x', value: '={{ $json.a * 10 }}' }, 'literal'],
      when: '={{ DateTime.fromMillis(0, { zone: "UTC" }) }}',
      broken: '={{ $json.a +* }}',
    };
    const { paths, values } = await evaluator.resolveParameterValues(params, s, [0, 1]);
    expect(paths).toEqual([['list', 0, 'value'], ['when'], ['broken']]);
    const trees = await evaluator.resolveParameters(params, s, [0, 1]);
    // Both forms fail an item the same way; the values are the leaves of the resolved trees.
    expect(values[0]).toBeInstanceOf(Error);
    expect((values[0] as Error).message).toBe((trees[0] as Error).message);
    expect((values[0] as Error).message).toContain("parameter 'broken'");

    const ok = { list: params.list, when: params.when };
    const resolved = await evaluator.resolveParameterValues(ok, s, [0, 1]);
    expect(resolved.values).toEqual([
      [10, '1970-01-01T00:00:00.000Z'],
      [20, '1970-01-01T00:00:00.000Z'],
    ]);
    expect(await evaluator.resolveParameters(ok, s, [1])).toEqual([
      { list: [{ name: 'x', value: 20 }, 'literal'], when: '1970-01-01T00:00:00.000Z' },
    ]);
  });
});
