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

  // JSON copy of what the code returned (DateTime and Date become ISO strings, as n8n stores them).
  function plain(value) {
    if (value === undefined) return undefined;
    try {
      return JSON.parse(JSON.stringify(value));
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

  // What does not depend on the item, built once per run.
  function sharedGlobals(p) {
    var c = p.ctx;
    var zone = c.timezone || 'UTC';
    Settings.defaultZone = zone;
    var now = DateTime.fromMillis(c.nowMs, { zone: zone });
    var custom = c.execution.customData;
    var staticData = function (type) {
      if (type !== 'global' && type !== 'node') throw userError('The type of static data must be "global" or "node"');
      return c.staticData[type];
    };
    return {
      $node: legacyNode(p),
      $execution: {
        id: c.execution.id,
        mode: c.execution.mode === 'manual' ? 'test' : 'production',
        resumeUrl: c.execution.resumeUrl,
        customData: {
          get: function (k) { return custom[k]; },
          getAll: function () { return Object.assign({}, custom); },
          set: function (k, v) { custom[String(k)] = String(v); },
          setAll: function (o) { for (var k in o) if (hasOwn.call(o, k)) custom[k] = String(o[k]); },
        },
      },
      $workflow: c.workflow,
      $getWorkflowStaticData: staticData,
      getWorkflowStaticData: staticData,
      $runIndex: c.runIndex,
      $now: now,
      $today: now.startOf('day'),
      $vars: c.vars || {},
      $parameter: c.parameter,
      $mode: c.execution.mode,
      $nodeVersion: c.nodeVersion,
      $prevNode: {},
      DateTime: DateTime,
      Duration: Duration,
      Interval: Interval,
    };
  }

  function globalsFor(p, items, itemIndex, eachMode, timers, shared) {
    var current = items[itemIndex];
    var input = {
      all: function () { return items; },
      first: function () { return items[0]; },
      last: function () { return items[items.length - 1]; },
      params: p.ctx.parameter,
      context: {},
    };
    Object.defineProperty(input, 'item', {
      enumerable: true,
      get: function () {
        if (!eachMode) throw userError("Can't use .item here", "Use $input.first() or $input.all() when running once for all items.");
        return current;
      },
    });
    var g = Object.assign({}, shared);
    g.$input = input;
    g.$json = current ? current.json : undefined;
    g.$binary = current ? current.binary || {} : {};
    g.$ = function (name) { return nodeAccessor(p, name, itemIndex, eachMode); };
    g.$items = function (name) {
      if (name === undefined) return items;
      return nodeAccessor(p, name, itemIndex, eachMode).all();
    };
    g.$item = function (i) {
      var it = items[i];
      return { $json: it ? it.json : undefined, $binary: it ? it.binary || {} : {} };
    };
    g.items = items;
    g.item = current;
    g.$itemIndex = itemIndex;
    g.setTimeout = timers.setTimeout;
    g.clearTimeout = timers.clearTimeout;
    g.setInterval = timers.setInterval;
    g.clearInterval = timers.clearTimeout;
    return g;
  }

  var NAMES = ['$input', '$json', '$binary', '$', '$node', '$items', '$item', 'items', 'item',
    '$execution', '$workflow', '$getWorkflowStaticData', 'getWorkflowStaticData', '$runIndex',
    '$itemIndex', '$now', '$today', '$vars', '$parameter', '$mode', '$nodeVersion', '$prevNode',
    'DateTime', 'Duration', 'Interval', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
    'getBinaryData', 'setBinaryData'];

  // The user's code becomes the body of an async arrow inside a Function: one wrapper line before
  // it, plus the two lines Function() adds.
  var LINE_OFFSET = 3;

  SB.defineHandler('budflow.code', function (p) {
    var fn;
    try {
      // Code without 'await' runs as a plain function: no promise job per item.
      var head = p.isAsync ? 'return (async () => {\n' : 'return (() => {\n';
      fn = SB.compile(NAMES, head + p.code + '\n})();');
    } catch (e) {
      return { ok: false, error: describe(e, LINE_OFFSET) };
    }
    var items = p.items;
    var timers = makeTimers();
    var shared = sharedGlobals(p);
    function call(itemIndex, eachMode, extra) {
      var g = globalsFor(p, items, itemIndex, eachMode, timers, shared);
      if (extra) for (var k in extra) g[k] = extra[k];
      var args = NAMES.map(function (n) { return g[n]; });
      return settle(fn.apply(undefined, args), timers);
    }
    var out = { ok: true, results: [] };
    if (p.mode === 'each' || p.mode === 'functionItem') {
      for (var i = 0; i < items.length; i++) {
        try {
          if (p.mode === 'functionItem') {
            var binary = items[i].binary;
            var extra = {
              item: items[i].json,
              getBinaryData: function () { return binary; },
              setBinaryData: function (data) { binary = data; },
            };
            var value = call(i, true, extra);
            out.results.push({ value: plain(value), binary: plain(binary) });
          } else {
            out.results.push({ value: plain(call(i, true)) });
          }
        } catch (e) {
          var d = describe(e, LINE_OFFSET);
          d.itemIndex = i;
          if (!p.continueOnFail) return { ok: false, error: d, staticData: p.ctx.staticData, customData: p.ctx.execution.customData };
          out.results.push({ error: d });
        }
      }
    } else {
      try {
        out.results.push({ value: plain(call(0, false, p.mode === 'function' ? { item: undefined } : undefined)) });
      } catch (e) {
        return { ok: false, error: describe(e, LINE_OFFSET), staticData: p.ctx.staticData, customData: p.ctx.execution.customData };
      }
    }
    out.staticData = p.ctx.staticData;
    out.customData = p.ctx.execution.customData;
    return out;
  });
})();
`;
