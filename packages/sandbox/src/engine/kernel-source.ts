/**
 * The script that runs first in every QuickJS context. It is sandbox-side code (it never runs in the
 * host realm): a value encoder for the JSON boundary, console capture, an Intl shim backed by a
 * data-only host bridge, the prelude API, and the final hardening (deny code-generation entry points,
 * freeze every intrinsic reachable from the global object).
 *
 * Host functions installed before this script (by the engine), each taking and returning strings only:
 *   __bf_host_call(requestJson) -> responseJson   (Intl formatting, hashing, base64, URL parsing)
 *   __bf_host_jobs() -> number of jobs run
 */
export const KERNEL_SOURCE = String.raw`
(function () {
  'use strict';
  var G = globalThis;
  var hostCallFn = G.__bf_host_call;
  var hostJobs = G.__bf_host_jobs;
  delete G.__bf_host_call;
  delete G.__bf_host_jobs;
  var RealFunction = Function;
  var JSONstringify = JSON.stringify;
  var JSONparse = JSON.parse;
  var ObjectKeys = Object.keys;
  var isArray = Array.isArray;
  var getProto = Object.getPrototypeOf;
  var hasOwn = Object.prototype.hasOwnProperty;
  var TAG = '\u0000';

  // ---- errors that must never be swallowed by callers (denied operations) ----
  function SandboxDenied(message) {
    var e = new Error(message);
    Object.defineProperty(e, 'name', { value: 'SandboxDenied', writable: true, enumerable: false, configurable: true });
    return e;
  }

  // ---- console capture ----
  var consoleEntries = [];
  var consoleBytes = 0;
  var CONSOLE_MAX_ENTRIES = 1000;
  var CONSOLE_MAX_BYTES = 256 * 1024;
  function fmt(v) {
    if (typeof v === 'string') return v;
    try {
      var s = JSONstringify(v);
      return s === undefined ? String(v) : s;
    } catch (e) {
      return String(v);
    }
  }
  function logger(level) {
    return function () {
      if (consoleEntries.length >= CONSOLE_MAX_ENTRIES || consoleBytes >= CONSOLE_MAX_BYTES) return;
      var parts = [];
      for (var i = 0; i < arguments.length; i++) parts.push(fmt(arguments[i]));
      var text = parts.join(' ');
      if (consoleBytes + text.length > CONSOLE_MAX_BYTES) text = text.slice(0, CONSOLE_MAX_BYTES - consoleBytes);
      consoleBytes += text.length;
      consoleEntries.push({ level: level, message: text });
    };
  }
  var consoleObj = {
    log: logger('log'), info: logger('info'), warn: logger('warn'), error: logger('error'),
    debug: logger('debug'), trace: logger('debug'),
  };
  Object.defineProperty(G, 'console', { value: consoleObj, writable: false, enumerable: false, configurable: false });

  // ---- value encoder (sandbox -> host) ----
  var encoders = [];
  function encode(v, depth, seen) {
    switch (typeof v) {
      case 'string': case 'boolean': return v;
      case 'number':
        if (v === v && v !== Infinity && v !== -Infinity) return v;
        return v !== v ? { '\u0000': 'NaN' } : { '\u0000': v > 0 ? 'Infinity' : '-Infinity' };
      case 'undefined': return { '\u0000': 'undefined' };
      case 'bigint': return { '\u0000': 'bigint', d: String(v) };
      case 'symbol': return { '\u0000': 'undefined' };
      case 'function': return { '\u0000': 'undefined' };
    }
    if (v === null) return null;
    if (depth > 200) throw new RangeError('value is nested too deeply to be returned');
    for (var k = 0; k < encoders.length; k++) {
      if (encoders[k].test(v)) return { '\u0000': encoders[k].tag, d: encoders[k].encode(v) };
    }
    if (v instanceof Date) return { '\u0000': 'Date', d: v.getTime() };
    if (seen.indexOf(v) !== -1) throw new TypeError('cyclic value cannot be returned');
    seen.push(v);
    var out;
    if (isArray(v)) {
      out = new Array(v.length);
      for (var i = 0; i < v.length; i++) {
        var item = v[i];
        out[i] = item === undefined || typeof item === 'function' || typeof item === 'symbol' ? null : encode(item, depth + 1, seen);
      }
    } else if (typeof v.toJSON === 'function' && getProto(v) !== Object.prototype && getProto(v) !== null) {
      seen.pop();
      return encode(v.toJSON(), depth + 1, seen);
    } else {
      out = {};
      var keys = ObjectKeys(v);
      for (var j = 0; j < keys.length; j++) {
        var key = keys[j];
        var val = v[key];
        if (val === undefined || typeof val === 'function' || typeof val === 'symbol') continue;
        out[key] = encode(val, depth + 1, seen);
      }
      if (hasOwn.call(out, TAG)) out = { '\u0000': 'object', d: out };
    }
    seen.pop();
    return out;
  }
  function encodeToString(v) {
    return JSONstringify(encode(v, 0, []));
  }

  // ---- Intl shim: formatting is done by the host's ICU; only strings and numbers cross ----
  function hostCall(op, args) {
    var res = JSONparse(hostCallFn(JSONstringify({ op: op, args: args })));
    if (res.error) {
      var E = res.error.name === 'TypeError' ? TypeError : RangeError;
      throw new E(res.error.message);
    }
    return res.value;
  }
  function intlCall(op, args) { return hostCall('intl.' + op, args); }

  // ---- URL (WHATWG parsing by the host; only the string fields come back) ----
  function URLShim(input, base) {
    if (!(this instanceof URLShim)) throw new TypeError("Constructor URL requires 'new'");
    var f = hostCall('url.parse', [String(input), base === undefined ? null : String(base)]);
    for (var k in f) this[k] = f[k];
  }
  URLShim.prototype.toString = function () { return this.href; };
  URLShim.prototype.toJSON = function () { return this.href; };
  URLShim.canParse = function (input, base) {
    try { hostCall('url.parse', [String(input), base === undefined ? null : String(base)]); return true; } catch (e) { return false; }
  };
  Object.defineProperty(G, 'URL', { value: URLShim, writable: true, enumerable: false, configurable: true });
  function plain(o) {
    if (o === undefined || o === null) return undefined;
    return JSONparse(JSONstringify(o));
  }
  function locales(l) {
    if (l === undefined || l === null) return undefined;
    if (isArray(l)) return l.map(String);
    return String(l);
  }
  function toMs(d) {
    if (d === undefined) return Date.now();
    return typeof d === 'number' ? d : +d;
  }
  function makeFormatter(kind) {
    function F(l, o) {
      if (!(this instanceof F)) return new F(l, o);
      this._l = locales(l);
      this._o = plain(o);
      this._r = intlCall(kind + '.resolvedOptions', [this._l, this._o]);
    }
    F.prototype.resolvedOptions = function () { return JSONparse(JSONstringify(this._r)); };
    F.supportedLocalesOf = function (l) { return intlCall(kind + '.supportedLocalesOf', [locales(l)]); };
    return F;
  }
  var DateTimeFormat = makeFormatter('DateTimeFormat');
  DateTimeFormat.prototype.format = function (d) { return intlCall('DateTimeFormat.format', [this._l, this._o, toMs(d)]); };
  DateTimeFormat.prototype.formatToParts = function (d) { return intlCall('DateTimeFormat.formatToParts', [this._l, this._o, toMs(d)]); };
  var NumberFormat = makeFormatter('NumberFormat');
  NumberFormat.prototype.format = function (n) { return intlCall('NumberFormat.format', [this._l, this._o, typeof n === 'bigint' ? String(n) : Number(n)]); };
  NumberFormat.prototype.formatToParts = function (n) { return intlCall('NumberFormat.formatToParts', [this._l, this._o, Number(n)]); };
  var RelativeTimeFormat = makeFormatter('RelativeTimeFormat');
  RelativeTimeFormat.prototype.format = function (n, u) { return intlCall('RelativeTimeFormat.format', [this._l, this._o, Number(n), String(u)]); };
  RelativeTimeFormat.prototype.formatToParts = function (n, u) { return intlCall('RelativeTimeFormat.formatToParts', [this._l, this._o, Number(n), String(u)]); };
  var PluralRules = makeFormatter('PluralRules');
  PluralRules.prototype.select = function (n) { return intlCall('PluralRules.select', [this._l, this._o, Number(n)]); };
  var ListFormat = makeFormatter('ListFormat');
  ListFormat.prototype.format = function (list) { return intlCall('ListFormat.format', [this._l, this._o, Array.prototype.map.call(list, String)]); };
  var Collator = makeFormatter('Collator');
  Collator.prototype.compare = function (a, b) { return intlCall('Collator.compare', [this._l, this._o, String(a), String(b)]); };
  function Locale(tag, o) {
    if (!(this instanceof Locale)) throw new TypeError("Constructor Intl.Locale requires 'new'");
    var info = intlCall('Locale', [String(tag), plain(o)]);
    for (var k in info) this[k] = info[k];
  }
  Locale.prototype.toString = function () { return this.baseName; };
  Locale.prototype.getWeekInfo = function () { return intlCall('Locale.weekInfo', [this.baseName]); };
  var IntlObj = {
    DateTimeFormat: DateTimeFormat, NumberFormat: NumberFormat, RelativeTimeFormat: RelativeTimeFormat,
    PluralRules: PluralRules, ListFormat: ListFormat, Collator: Collator, Locale: Locale,
    getCanonicalLocales: function (l) { return intlCall('getCanonicalLocales', [locales(l)]); },
  };
  Object.defineProperty(G, 'Intl', { value: IntlObj, writable: true, enumerable: false, configurable: true });
  var numToLocale = function toLocaleString(l, o) { return new NumberFormat(l, o).format(this); };
  Object.defineProperty(Number.prototype, 'toLocaleString', { value: numToLocale, writable: true, configurable: true });
  Object.defineProperty(Date.prototype, 'toLocaleString', { value: function toLocaleString(l, o) {
    var opts = plain(o) || {};
    if (opts.dateStyle === undefined && opts.timeStyle === undefined && opts.year === undefined && opts.hour === undefined && opts.month === undefined && opts.weekday === undefined && opts.day === undefined && opts.minute === undefined && opts.second === undefined) {
      opts.year = 'numeric'; opts.month = 'numeric'; opts.day = 'numeric'; opts.hour = 'numeric'; opts.minute = 'numeric'; opts.second = 'numeric';
    }
    return new DateTimeFormat(l, opts).format(this);
  }, writable: true, configurable: true });
  Object.defineProperty(Date.prototype, 'toLocaleDateString', { value: function toLocaleDateString(l, o) {
    var opts = plain(o) || {};
    if (opts.dateStyle === undefined && opts.year === undefined && opts.month === undefined && opts.day === undefined && opts.weekday === undefined) { opts.year = 'numeric'; opts.month = 'numeric'; opts.day = 'numeric'; }
    return new DateTimeFormat(l, opts).format(this);
  }, writable: true, configurable: true });
  Object.defineProperty(Date.prototype, 'toLocaleTimeString', { value: function toLocaleTimeString(l, o) {
    var opts = plain(o) || {};
    if (opts.timeStyle === undefined && opts.hour === undefined && opts.minute === undefined && opts.second === undefined) { opts.hour = 'numeric'; opts.minute = 'numeric'; opts.second = 'numeric'; }
    return new DateTimeFormat(l, opts).format(this);
  }, writable: true, configurable: true });
  var nativeDateToString = Date.prototype.toString;
  Object.defineProperty(Date.prototype, 'toString', { value: function toString() {
    var s = nativeDateToString.call(this);
    if (s === 'Invalid Date') return s;
    return /\(.*\)$/.test(s) ? s : s + ' (' + intlCall('timeZoneName', [this.getTime()]) + ')';
  }, writable: true, configurable: true });
  Object.defineProperty(String.prototype, 'localeCompare', { value: function localeCompare(that, l, o) {
    var a = String(this), b = String(that);
    if (l === undefined && o === undefined) {
      var ai = a.toLowerCase(), bi = b.toLowerCase();
      if (ai !== bi) return ai < bi ? -1 : 1;
      return a === b ? 0 : (a < b ? 1 : -1);
    }
    return new Collator(l, o).compare(a, b);
  }, writable: true, configurable: true });

  // ---- denied code generation and host-looking globals ----
  function deniedCtor(what) {
    var f = function () { throw SandboxDenied(what + ' is not allowed in the sandbox'); };
    return f;
  }
  var FunctionDenied = deniedCtor('Function');
  FunctionDenied.prototype = Function.prototype;
  var ctorProtos = [
    Function.prototype,
    getProto(function* () {}),
    getProto(async function () {}),
    getProto(async function* () {}),
  ];
  for (var c = 0; c < ctorProtos.length; c++) {
    Object.defineProperty(ctorProtos[c], 'constructor', { value: FunctionDenied, writable: false, enumerable: false, configurable: false });
  }
  Object.defineProperty(G, 'Function', { value: FunctionDenied, writable: false, enumerable: false, configurable: false });
  Object.defineProperty(G, 'eval', { value: deniedCtor('eval'), writable: false, enumerable: false, configurable: false });
  var hostNames = ['process', 'require', 'module', 'exports', 'global', 'Buffer', '__dirname', '__filename', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'fetch', 'XMLHttpRequest', 'WebAssembly', 'SharedArrayBuffer', 'Atomics', 'std', 'os'];
  for (var h = 0; h < hostNames.length; h++) {
    (function (name) {
      try { delete G[name]; } catch (e) { /* ignore */ }
      Object.defineProperty(G, name, {
        get: function () { throw SandboxDenied("'" + name + "' is not available in the sandbox"); },
        set: function () { throw SandboxDenied("'" + name + "' is not available in the sandbox"); },
        enumerable: false, configurable: false,
      });
    })(hostNames[h]);
  }

  // ---- handlers and the prelude API ----
  var handlers = Object.create(null);
  var api = {
    compile: function (params, body) { return RealFunction.apply(null, params.concat([body])); },
    defineHandler: function (name, fn) { handlers[name] = fn; },
    addEncoder: function (tag, test, enc) { encoders.push({ tag: tag, test: test, encode: enc }); },
    encode: function (v) { return encode(v, 0, []); },
    runJobs: function () { return hostJobs(); },
    hash: function (algorithm, data, encoding) { return hostCall('hash', [String(algorithm), String(data), encoding === undefined ? 'hex' : String(encoding)]); },
    base64Encode: function (text) { return hostCall('base64.encode', [String(text)]); },
    base64Decode: function (text) { return hostCall('base64.decode', [String(text)]); },
    denied: SandboxDenied,
    harden: function (value) { deepFreeze([value]); return value; },
  };
  Object.defineProperty(G, '__budflowSandbox', { value: api, writable: false, enumerable: false, configurable: true });

  // ---- binary replies: a raw handler's value copied in QuickJS's binary object format ----
  // binaryReply(text, value, fallback, refuseKeys) answers a raw call with text plus a value the
  // engine copies without JSON.stringify (the host finds it as the result's attachment); when the
  // engine cannot (a value JSON would write differently, too large, or one with a property named in
  // refuseKeys: the marks of objects whose toJSON the copy would skip), it calls fallback() instead.
  var REPLY = Object.freeze({});
  var pendingReply = null;
  api.binaryReply = function (text, value, fallback, refuseKeys) {
    pendingReply = { text: String(text), value: value, fallback: fallback, refuse: isArray(refuseKeys) ? refuseKeys.map(String) : [] };
    return REPLY;
  };
  function binaryAnswer(head, reply) {
    return {
      text: head + reply.text + '}',
      value: reply.value,
      refuse: JSONstringify(reply.refuse),
      fallback: function () {
        // Takes the exception a refused encoding left pending in the runtime.
        try { throw null; } catch (e) { /* nothing to keep */ }
        var text;
        try { text = reply.fallback(); } catch (e) { return JSONstringify(finish(false, describeError(e, false))); }
        return head + (typeof text === 'string' ? text : 'null') + '}';
      },
    };
  }

  function describeError(e, userCode) {
    if (e === null || e === undefined || (typeof e !== 'object' && typeof e !== 'function')) {
      return { name: 'Error', message: 'Uncaught ' + String(e), thrown: true };
    }
    var stack = typeof e.stack === 'string' ? e.stack.slice(0, 4000) : '';
    var out = { name: String(e.name || 'Error'), message: String(e.message === undefined ? e : e.message).slice(0, 10000), stack: stack };
    if (e.__bfCode) out.code = String(e.__bfCode);
    if (e.__bfDetails) {
      try { out.details = JSONparse(JSONstringify(e.__bfDetails)); } catch (x) { /* ignore */ }
      if (out.details && typeof out.details.line === 'number') out.line = out.details.line;
    }
    // Code compiled with Function() reports "<input>:N", N counting the two wrapper lines.
    var m = /\(<input>:(\d+)(?::(\d+))?\)/.exec(stack);
    if (m && userCode) { out.line = Math.max(1, Number(m[1]) - 2); if (m[2]) out.column = Number(m[2]); }
    return out;
  }
  function finish(ok, payload) {
    var res = { ok: ok, console: consoleEntries };
    if (ok) res.value = payload; else res.error = payload;
    consoleEntries = [];
    consoleBytes = 0;
    return res;
  }
  function dispatch(requestJson, binaryPayload) {
    var req = JSONparse(requestJson);
    // The payload came in QuickJS's binary object format, read by the engine.
    if (req.binaryPayload === true) req.payload = binaryPayload;
    pendingReply = null;
    try {
      var value;
      if (req.kind === 'run') {
        var fn = RealFunction.apply(null, (req.params || []).concat([req.code]));
        var args = req.args === undefined ? [] : req.args;
        value = fn.apply(undefined, args);
      } else {
        var handler = handlers[req.handler];
        if (!handler) throw new Error('no sandbox handler named ' + req.handler);
        value = handler(req.payload);
      }
      if (req.raw) {
        var head = JSONstringify(finish(true, undefined)).slice(0, -1) + ',"raw":';
        if (value === REPLY && pendingReply !== null) {
          var reply = pendingReply;
          pendingReply = null;
          return binaryAnswer(head, reply);
        }
        return head + (typeof value === 'string' ? value : 'null') + '}';
      }
      return JSONstringify(finish(true, encode(value, 0, [])));
    } catch (e) {
      return JSONstringify(finish(false, describeError(e, req.kind === 'run')));
    }
  }
  G.__bf_dispatch = dispatch;

  // Assigning to a property that a frozen prototype holds fails ("override mistake"). For the
  // properties ordinary code assigns on its own objects (err.name = ..., obj.toString = ...), turn
  // the prototype's data property into an accessor whose setter defines an own property instead.
  function tameOverrides() {
    var errorProtos = [Error.prototype, TypeError.prototype, RangeError.prototype, SyntaxError.prototype,
      ReferenceError.prototype, EvalError.prototype, URIError.prototype];
    if (typeof AggregateError === 'function') errorProtos.push(AggregateError.prototype);
    if (typeof InternalError === 'function') errorProtos.push(InternalError.prototype);
    // Only names ordinary code assigns on its own objects: an accessor costs a call on every read,
    // so hot methods (push, map, call, exec...) stay plain frozen data properties.
    var list = [[Object.prototype, ['constructor', 'toString', 'valueOf', 'toLocaleString', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable']],
      [Array.prototype, ['toString', 'constructor']],
      [Function.prototype, ['toString']],
      [Promise.prototype, ['constructor']],
      [Date.prototype, ['toString', 'toJSON', 'constructor']],
      [RegExp.prototype, ['toString']]];
    for (var e = 0; e < errorProtos.length; e++) list.push([errorProtos[e], ['name', 'message', 'constructor', 'toString', 'stack']]);
    list.forEach(function (entry) {
      var proto = entry[0];
      entry[1].forEach(function (name) {
        var d = Object.getOwnPropertyDescriptor(proto, name);
        if (!d || !('value' in d) || !d.configurable) return;
        var value = d.value;
        Object.defineProperty(proto, name, {
          get: function () { return value; },
          set: function (v) {
            if (this === proto) throw new TypeError("Cannot assign to read only property '" + String(name) + "'");
            Object.defineProperty(this, name, { value: v, writable: true, enumerable: true, configurable: true });
          },
          enumerable: d.enumerable, configurable: false,
        });
      });
    });
  }

  // Freezes every object reachable from roots (own properties, accessors and prototypes).
  function deepFreeze(roots) {
    var stackArr = roots.slice();
    var seen = new Set();
    while (stackArr.length) {
      var o = stackArr.pop();
      if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) continue;
      seen.add(o);
      var p = getProto(o);
      if (p) stackArr.push(p);
      var names = Reflect.ownKeys(o);
      for (var i = 0; i < names.length; i++) {
        var d = Object.getOwnPropertyDescriptor(o, names[i]);
        if (!d) continue;
        if ('value' in d) stackArr.push(d.value);
        if (d.get) stackArr.push(d.get);
        if (d.set) stackArr.push(d.set);
      }
    }
    seen.forEach(function (x) { Object.freeze(x); });
  }

  // ---- hardening, called by the engine after the preludes ----
  G.__bf_harden = function () {
    delete G.__budflowSandbox;
    delete G.__bf_harden;
    var dispatchFn = G.__bf_dispatch;
    delete G.__bf_dispatch;
    var roots = [G, getProto(function* () {}), getProto(async function () {}), getProto(async function* () {}),
      getProto([][Symbol.iterator]()), getProto(getProto([][Symbol.iterator]())), getProto(new Map().entries()),
      getProto(new Set().values()), getProto(''[Symbol.iterator]()), getProto(/a/[Symbol.matchAll]('')),
      getProto(Int8Array), getProto((function* () {})()), api, consoleObj, IntlObj];
    tameOverrides();
    deepFreeze(roots);
    return dispatchFn;
  };
})();
`;
