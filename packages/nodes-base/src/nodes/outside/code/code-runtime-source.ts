/**
 * Sandbox-side JavaScript of the Code, Function and Function Item nodes: n8n's Code globals built
 * from a JSON payload, a virtual timer queue (so `await new Promise(r => setTimeout(r, 100))`
 * settles without real waiting), and the handler `budflow.code`. It runs only inside QuickJS, after
 * Luxon (`globalThis.luxon`). Written without template literals so it can live in this string.
 */
export const CODE_RUNTIME_SOURCE = String.raw`
(function () {
  'use strict';
  var G = globalThis;
  var SB = G.__budflowSandbox;
  var luxon = G.luxon;
  delete G.luxon;
  var DateTime = luxon.DateTime, Duration = luxon.Duration, Interval = luxon.Interval, Settings = luxon.Settings;
  var hasOwn = Object.prototype.hasOwnProperty;

  function userError(message, description) {
    var e = new Error(message);
    if (description) e.description = description;
    return e;
  }

  function makeTimers() {
    var queue = [];
    var seq = 0;
    var now = 0;
    return {
      setTimeout: function (fn, ms) {
        if (typeof fn !== 'function') throw new TypeError('setTimeout needs a function');
        var args = Array.prototype.slice.call(arguments, 2);
        var id = ++seq;
        queue.push({ id: id, at: now + Math.max(0, Number(ms) || 0), fn: fn, args: args });
        return id;
      },
      clearTimeout: function (id) {
        queue = queue.filter(function (t) { return t.id !== id; });
      },
      setInterval: function () {
        throw userError('setInterval is not available in the Code node');
      },
      fireNext: function () {
        if (queue.length === 0) return false;
        queue.sort(function (a, b) { return a.at - b.at || a.id - b.id; });
        var t = queue.shift();
        now = t.at;
        t.fn.apply(undefined, t.args);
        return true;
      },
    };
  }

  // Drives promise jobs and virtual timers until the value settles.
  function settle(value, timers) {
    if (!value || typeof value.then !== 'function') return value;
    var state = { done: false, failed: false, value: undefined };
    value.then(
      function (v) { state.done = true; state.value = v; },
      function (e) { state.done = true; state.failed = true; state.value = e; }
    );
    for (var round = 0; !state.done; round++) {
      var ran = SB.runJobs();
      if (state.done) break;
      if (!timers.fireNext() && ran === 0) break;
    }
    if (!state.done) throw userError('The code returned a promise that never resolved');
    if (state.failed) throw state.value;
    return state.value;
  }

  function lineOf(e, offset) {
    var stack = e && typeof e.stack === 'string' ? e.stack : '';
    var m = /<input>:(\d+)/.exec(stack);
    if (!m) return undefined;
    var line = Number(m[1]) - offset;
    return line >= 1 ? line : undefined;
  }

  // Out of memory, stack overflow and sandbox denials end the whole run with the sandbox's code.
  function rethrowFatal(e) {
    if (e === null || typeof e !== 'object') return;
    var n = e.name;
    if (n === 'InternalError' || n === 'SandboxDenied') throw e;
    if (n === 'RangeError' && /call stack|stack overflow/i.test(String(e.message))) throw e;
  }

  function describe(e, offset) {
    rethrowFatal(e);
    if (e === null || e === undefined || (typeof e !== 'object' && typeof e !== 'function')) {
      return { name: 'Error', message: String(e) };
    }
    var out = { name: String(e.name || 'Error'), message: String(e.message === undefined ? e : e.message) };
    if (typeof e.description === 'string') out.description = e.description;
    var line = lineOf(e, offset);
    if (line !== undefined) out.line = line;
    return out;
  }

  var JSONstringify = JSON.stringify;
  var JSONparse = JSON.parse;

  // JSON text of what the code returned (DateTime and Date become ISO strings, as n8n stores
  // them): one native stringify, parsed once by the host, instead of copying the value as objects.
  function jsonText(value) {
    if (value === undefined) return undefined;
    try {
      var text = JSONstringify(value);
      // A function or symbol has no JSON form: parsing the missing text gives the error n8n users
      // saw before (the result used to be copied with JSON.parse(JSON.stringify(value))).
      if (text === undefined) JSONparse(text);
      return text;
    } catch (e) {
      throw userError('The returned data cannot be converted to JSON: ' + String(e && e.message));
    }
  }

  function nodeAccessor(p, name, itemIndex, eachMode) {
    if (typeof name !== 'string') throw userError('$() needs the name of a node, e.g. $("Edit Fields")');
    var nd = p.nodes[name];
    if (!nd) {
      throw userError("Referenced node '" + name + "' is not available",
        "BudFlow's Code node resolves $('...') for node names written as string literals in the code.");
    }
    function all(branch, run) {
      if ((branch !== undefined && branch !== null && branch !== 0) || (run !== undefined && run !== null && run !== -1)) {
        throw userError("$('" + name + "').all() takes no output or run index in BudFlow's Code node");
      }
      if (nd.allError) throw userError(nd.allError);
      return nd.all || [];
    }
    function matching(i) {
      if (typeof i !== 'number') throw userError('itemMatching() needs the index of an input item, e.g. itemMatching(0)');
      var entry = nd.matching && nd.matching[i];
      if (entry === undefined) throw userError("Can't get data for expression", "Paired item information for node '" + name + "' is missing.");
      if (entry && entry.__error) throw userError(entry.__error);
      return entry;
    }
    var acc = {
      all: all,
      first: function (b, r) { return all(b, r)[0]; },
      last: function (b, r) { var l = all(b, r); return l[l.length - 1]; },
      itemMatching: matching,
      pairedItem: function (i) { return matching(i === undefined ? itemIndex : i); },
      isExecuted: !!nd.isExecuted,
      params: nd.params || {},
      context: {},
    };
    Object.defineProperty(acc, 'item', {
      enumerable: true,
      get: function () {
        if (!eachMode) throw userError("Can't use .item here", "Use .first(), .all()[index] or .itemMatching(index) when running once for all items.");
        return matching(itemIndex);
      },
    });
    return acc;
  }

  function legacyNode(p) {
    return new Proxy({}, {
      get: function (t, name) {
        if (typeof name !== 'string') return undefined;
        var acc = nodeAccessor(p, name, 0, false);
        var first = acc.first();
        return { json: first ? first.json : undefined, data: first ? first.json : undefined, binary: first ? first.binary : undefined, parameter: acc.params, runIndex: 0, context: {} };
      },
    });
  }

  var NAMES = ['$input', '$json', '$binary', '$', '$node', '$items', '$item', 'items', 'item',
    '$execution', '$workflow', '$getWorkflowStaticData', 'getWorkflowStaticData', '$runIndex',
    '$itemIndex', '$now', '$today', '$vars', '$parameter', '$mode', '$nodeVersion', '$prevNode',
    'DateTime', 'Duration', 'Interval', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
    'getBinaryData', 'setBinaryData'];
  var AT = {};
  for (var n = 0; n < NAMES.length; n++) AT[NAMES[n]] = n;
  // Dense, so copies of it stay fast arrays for apply().
  var NO_ARGS = NAMES.map(function () { return undefined; });

  // The names are parameters of the wrapper function, so only code that spells one of them (or
  // reads 'arguments', or writes an identifier with a \u escape) can see its value: the costly
  // ones are built only for code that names them. A name in a string or a comment only costs time.
  var SEES_ALL = /arguments|\\u/;
  function usedNames(code) {
    var all = SEES_ALL.test(code);
    var uses = {};
    for (var i = 0; i < NAMES.length; i++) uses[NAMES[i]] = all || code.indexOf(NAMES[i]) !== -1;
    return uses;
  }

  // The arguments that do not depend on the item, built once per run.
  function sharedArgs(p, uses) {
    var c = p.ctx;
    var zone = c.timezone || 'UTC';
    Settings.defaultZone = zone;
    var a = NO_ARGS.slice();
    if (uses.$node) a[AT.$node] = legacyNode(p);
    if (uses.$execution) {
      var custom = c.execution.customData;
      a[AT.$execution] = {
        id: c.execution.id,
        mode: c.execution.mode === 'manual' ? 'test' : 'production',
        resumeUrl: c.execution.resumeUrl,
        customData: {
          get: function (k) { return custom[k]; },
          getAll: function () { return Object.assign({}, custom); },
          set: function (k, v) { custom[String(k)] = String(v); },
          setAll: function (o) { for (var k in o) if (hasOwn.call(o, k)) custom[k] = String(o[k]); },
        },
      };
    }
    a[AT.$workflow] = c.workflow;
    if (uses.getWorkflowStaticData) {
      var staticData = function (type) {
        if (type !== 'global' && type !== 'node') throw userError('The type of static data must be "global" or "node"');
        return c.staticData[type];
      };
      a[AT.$getWorkflowStaticData] = staticData;
      a[AT.getWorkflowStaticData] = staticData;
    }
    a[AT.$runIndex] = c.runIndex;
    if (uses.$now || uses.$today) {
      var now = DateTime.fromMillis(c.nowMs, { zone: zone });
      a[AT.$now] = now;
      a[AT.$today] = now.startOf('day');
    }
    if (uses.$vars) a[AT.$vars] = c.vars || {};
    a[AT.$parameter] = c.parameter;
    a[AT.$mode] = c.execution.mode;
    a[AT.$nodeVersion] = c.nodeVersion;
    if (uses.$prevNode) a[AT.$prevNode] = {};
    a[AT.DateTime] = DateTime;
    a[AT.Duration] = Duration;
    a[AT.Interval] = Interval;
    return a;
  }

  // Fills in what depends on the item. One array serves every call of a run: apply() copies it
  // into the call's parameters, so the code never holds it, and each call sets the same slots.
  function argsFor(a, p, items, itemIndex, eachMode, timers, uses) {
    var current = items[itemIndex];
    if (uses.$input) {
      a[AT.$input] = {
        all: function () { return items; },
        first: function () { return items[0]; },
        last: function () { return items[items.length - 1]; },
        params: p.ctx.parameter,
        context: {},
        get item() {
          if (!eachMode) throw userError("Can't use .item here", "Use $input.first() or $input.all() when running once for all items.");
          return current;
        },
      };
    }
    a[AT.$json] = current ? current.json : undefined;
    if (uses.$binary) a[AT.$binary] = current ? current.binary || {} : {};
    if (uses.$) a[AT.$] = function (name) { return nodeAccessor(p, name, itemIndex, eachMode); };
    if (uses.$items) {
      a[AT.$items] = function (name) {
        if (name === undefined) return items;
        return nodeAccessor(p, name, itemIndex, eachMode).all();
      };
    }
    if (uses.$item) {
      a[AT.$item] = function (i) {
        var it = items[i];
        return { $json: it ? it.json : undefined, $binary: it ? it.binary || {} : {} };
      };
    }
    a[AT.items] = items;
    a[AT.item] = current;
    a[AT.$itemIndex] = itemIndex;
    a[AT.setTimeout] = timers.setTimeout;
    a[AT.clearTimeout] = timers.clearTimeout;
    a[AT.setInterval] = timers.setInterval;
    a[AT.clearInterval] = timers.clearTimeout;
    return a;
  }

  // A result goes back in QuickJS's binary object format (the sandbox's binaryReply: ~8× cheaper
  // than JSON.stringify in QuickJS), which writes an object's own enumerable properties where
  // JSON.stringify would call a toJSON() its prototype has. The sandbox refuses the format for
  // everything else JSON writes differently (functions, getters, proxies, maps, BigInt, shared
  // objects...) and asks for the JSON text instead, also for a value with a property that marks a
  // Luxon DateTime, Duration or Interval (their toJSON gives an ISO string). Other toJSON methods
  // are left to this test of the code: code that could define one (or build a URL, whose toJSON
  // is the kernel's) answers with JSON text. Code that spells toJSON with computed strings is not
  // caught.
  var JSON_DIFFERS = /toJSON|toISOString|URL|arguments|\\[0-9ux]/;
  var LUXON_MARKS = ['isLuxonDateTime', 'isLuxonDuration', 'isLuxonInterval'];

  // The user's code becomes the body of an arrow inside a Function: one wrapper line before it,
  // plus the two lines Function() adds.
  var LINE_OFFSET = 3;

  // Compiled wrappers by code, so a workflow run again does not parse its code again. Bounded in
  // entries and in code size; the functions are frozen so one run cannot leave data on them for
  // the next run of the same code.
  var CACHE_MAX_ENTRIES = 64;
  var CACHE_MAX_CODE = 64 * 1024;
  var compiled = new Map();

  function compileCode(code, isAsync) {
    var key = (isAsync ? 'a' : 's') + code;
    var entry = compiled.get(key);
    if (entry) return entry;
    // Code without 'await' runs as a plain function: no promise job per item.
    var head = isAsync ? 'return (async () => {\n' : 'return (() => {\n';
    var fn = SB.compile(NAMES, head + code + '\n})();');
    Object.freeze(fn.prototype);
    Object.freeze(fn);
    entry = { fn: fn, uses: usedNames(code), binary: !JSON_DIFFERS.test(code) };
    if (code.length <= CACHE_MAX_CODE) {
      if (compiled.size >= CACHE_MAX_ENTRIES) compiled.delete(compiled.keys().next().value);
      compiled.set(key, entry);
    }
    return entry;
  }

  function hasKeys(o) {
    for (var k in o) if (hasOwn.call(o, k)) return true;
    return false;
  }
  function metaIsEmpty(p) {
    return !hasKeys(p.ctx.staticData.global) && !hasKeys(p.ctx.staticData.node) && !hasKeys(p.ctx.execution.customData);
  }

  // Static data may hold values JSON cannot (a Date): it keeps the sandbox's tagged encoding, as
  // a JSON string inside the result the host decodes on its own. Left out when static and custom
  // data were empty and still are (nothing for the host to change).
  function metaPart(p, wasEmpty) {
    if (wasEmpty && metaIsEmpty(p)) return '';
    return ',"meta":' + JSONstringify(JSONstringify(SB.encode({ staticData: p.ctx.staticData, customData: p.ctx.execution.customData })));
  }

  function failed(p, error, wasEmpty) {
    return '{"ok":false,"error":' + JSONstringify(error) + metaPart(p, wasEmpty) + '}';
  }

  // Answers with JSON text (a raw call): {"ok":true,"results":[{"value":...}],"meta":"..."}.
  SB.defineHandler('budflow.code', function (p) {
    var entry;
    try {
      entry = compileCode(p.code, p.isAsync);
    } catch (e) {
      return '{"ok":false,"error":' + JSONstringify(describe(e, LINE_OFFSET)) + '}';
    }
    var fn = entry.fn, uses = entry.uses;
    var wasEmpty = metaIsEmpty(p);
    var items = p.items;
    var timers = makeTimers();
    var shared = sharedArgs(p, uses);
    var parts = [];
    if (p.mode === 'each' || p.mode === 'functionItem') {
      for (var i = 0; i < items.length; i++) {
        try {
          var a = argsFor(shared, p, items, i, true, timers, uses);
          if (p.mode === 'functionItem') {
            var binary = items[i].binary;
            a[AT.item] = items[i].json;
            a[AT.getBinaryData] = function () { return binary; };
            a[AT.setBinaryData] = function (data) { binary = data; };
            var value = jsonText(settle(fn.apply(undefined, a), timers));
            var binaryText = jsonText(binary);
            var part = value === undefined ? '' : '"value":' + value;
            if (binaryText !== undefined) part += (part ? ',' : '') + '"binary":' + binaryText;
            parts.push('{' + part + '}');
          } else {
            var text = jsonText(settle(fn.apply(undefined, a), timers));
            parts.push(text === undefined ? '{}' : '{"value":' + text + '}');
          }
        } catch (e) {
          var d = describe(e, LINE_OFFSET);
          d.itemIndex = i;
          if (!p.continueOnFail) return failed(p, d, wasEmpty);
          parts.push('{"error":' + JSONstringify(d) + '}');
        }
      }
    } else {
      var result;
      try {
        var args = argsFor(shared, p, items, 0, false, timers, uses);
        if (p.mode === 'function') args[AT.item] = undefined;
        result = settle(fn.apply(undefined, args), timers);
      } catch (e) {
        return failed(p, describe(e, LINE_OFFSET), wasEmpty);
      }
      // Static data is written after the result: a toJSON() the JSON text calls may still change it.
      var asText = function () {
        var all;
        try {
          all = jsonText(result);
        } catch (e) {
          return failed(p, describe(e, LINE_OFFSET), wasEmpty);
        }
        return '{"ok":true,"results":[' + (all === undefined ? '{}' : '{"value":' + all + '}') + ']' + metaPart(p, wasEmpty) + '}';
      };
      if (entry.binary && result !== null && typeof result === 'object') {
        return SB.binaryReply('{"ok":true,"results":[{"attached":true}]' + metaPart(p, wasEmpty) + '}', result, asText, LUXON_MARKS);
      }
      return asText();
    }
    return '{"ok":true,"results":[' + parts.join(',') + ']' + metaPart(p, wasEmpty) + '}';
  });
})();
`;
