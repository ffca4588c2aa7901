/**
 * The n8n expression environment, as sandbox-side JavaScript: extension methods, the `$` variables,
 * Luxon, `$jmespath`, `$jsonata`, and the batch handler `n8n.evaluate`. It runs only inside QuickJS
 * (loaded as a prelude after Luxon, jmespath and the jsonata source). It is written without template
 * literals so it can live in this string.
 */
export const RUNTIME_SOURCE =
  String.raw`
(function () {
  'use strict';
  var G = globalThis;
  var SB = G.__budflowSandbox;
  var luxonSource = G.__bf_luxon_source;
  var jmespathSource = G.__bf_jmespath_source;
  var jmespathLib;
  var jsonataSource = G.__bf_jsonata_source;
  delete G.__bf_luxon_source;
  delete G.__bf_jmespath_source;
  delete G.__bf_jsonata_source;
  // Luxon is compiled on first use (most batches never touch a date), then frozen like the built-ins.
  var DateTime, Duration, Interval, Settings, luxonLoaded = false;
  function L() {
    if (!luxonLoaded) {
      var lx = SB.compile([], luxonSource + '\nreturn luxon;')();
      SB.harden(lx);
      DateTime = lx.DateTime; Duration = lx.Duration; Interval = lx.Interval; Settings = lx.Settings;
      luxonLoaded = true;
      Settings.defaultZone = zone;
    }
    return DateTime;
  }
  var isArray = Array.isArray;
  var hasOwn = Object.prototype.hasOwnProperty;

  // ---------------------------------------------------------------- errors
  function marked(name, message, extra) {
    var e = new Error(message);
    Object.defineProperty(e, 'name', { value: name, writable: true, configurable: true });
    Object.defineProperty(e, '__bfKeep', { value: true });
    if (extra) for (var k in extra) Object.defineProperty(e, '__bf_' + k, { value: extra[k] });
    return e;
  }
  function extError(message) { return marked('ExpressionExtensionError', message); }
  function exprError(message, extra) { return marked('ExpressionError', message, extra); }
  function isKept(e) {
    if (e === null || typeof e !== 'object') return false;
    if (e.__bfKeep === true) return true;
    var n = e.name;
    if (n === 'SandboxDenied') return true;
    if (n === 'InternalError') return true;
    if (n === 'RangeError' && /call stack|stack overflow/i.test(String(e.message))) return true;
    return false;
  }
  // n8n's templating turns runtime errors inside {{ }} into undefined, except its own errors.
  function swallow(e) {
    if (isKept(e)) throw e;
    return undefined;
  }
  function text(v) {
    if (v || v === 0) return typeof v === 'string' ? v : String(v);
    return '';
  }

  // ---------------------------------------------------------------- type helpers
  function isDateTime(v) { return luxonLoaded && v instanceof DateTime; }
  function isPlainObject(v) { return v !== null && typeof v === 'object' && !isArray(v) && !(v instanceof Date) && !isDateTime(v); }
  function typeOfValue(v) {
    if (v === null) return 'null';
    var t = typeof v;
    if (t === 'string' || t === 'number' || t === 'boolean' || t === 'undefined') return t;
    if (t === 'function') return 'function';
    if (isArray(v)) return 'array';
    if (v instanceof Date || isDateTime(v)) return 'date';
    return 'object';
  }
  function deepEqual(a, b) {
    if (a === b) return true;
    if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return a !== a && b !== b;
    if (isArray(a) !== isArray(b)) return false;
    var ka = Object.keys(a), kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (var i = 0; i < ka.length; i++) { if (!hasOwn.call(b, ka[i]) || !deepEqual(a[ka[i]], b[ka[i]])) return false; }
    return true;
  }
  function uniqueBy(list, keyFn) {
    var out = [];
    for (var i = 0; i < list.length; i++) {
      var k = keyFn(list[i]);
      var dup = false;
      for (var j = 0; j < out.length; j++) { if (deepEqual(keyFn(out[j]), k)) { dup = true; break; } }
      if (!dup) out.push(list[i]);
    }
    return out;
  }
  function ensureNumbers(list, fn) {
    for (var i = 0; i < list.length; i++) if (typeof list[i] !== 'number') throw extError(fn + '(): all array elements must be numbers');
  }

  // ---------------------------------------------------------------- dates
  var zone = 'UTC';
  function tryToParseDateTime(value, zoneOverride) {
    L();
    var z = zoneOverride || zone;
    if (isDateTime(value) && value.isValid) return value;
    if (value instanceof Date) {
      var fromJs = DateTime.fromJSDate(value, { zone: z });
      if (fromJs.isValid) return fromJs;
    }
    if (typeof value !== 'string' && typeof value !== 'number') throw new TypeError('cannot convert to Luxon DateTime');
    var s = String(value).trim();
    var attempts = [
      function () { return DateTime.fromISO(s, { zone: z, setZone: true }); },
      function () { return DateTime.fromHTTP(s, { zone: z, setZone: true }); },
      function () { return DateTime.fromRFC2822(s, { zone: z, setZone: true }); },
      function () { return DateTime.fromSQL(s, { zone: z, setZone: true }); },
      function () { return DateTime.fromMillis(Date.parse(s), { zone: z }); },
    ];
    for (var i = 0; i < attempts.length; i++) {
      var dt = attempts[i]();
      if (dt.isValid) return dt;
    }
    throw extError('cannot convert to Luxon DateTime');
  }
  function toDT(d) { return d instanceof Date ? L().fromJSDate(d, { zone: zone }) : d; }
  function sameKind(original, dt) { return original instanceof Date ? dt.toJSDate() : dt; }
  var DURATION_UNITS = ['milliseconds', 'seconds', 'minutes', 'hours', 'days', 'weeks', 'months', 'quarters', 'years'];
  function normUnit(u) {
    var s = String(u);
    if (DURATION_UNITS.indexOf(s) !== -1) return s;
    if (DURATION_UNITS.indexOf(s + 's') !== -1) return s + 's';
    return undefined;
  }
  function durationArgs(args) {
    var n = args[0], unit = args[1];
    if (typeof n === 'object' && n !== null) return n;
    var u = unit === undefined ? 'milliseconds' : normUnit(unit) || String(unit);
    var o = {}; o[u] = Number(n);
    return o;
  }
  var EXTRACT_ALIASES = { yearDayNumber: 'ordinal', week: 'weekNumber', weekday: 'weekday', ordinal: 'ordinal' };
  var EXTRACT_UNITS = ['year', 'quarter', 'month', 'weekNumber', 'ordinal', 'day', 'weekday', 'hour', 'minute', 'second', 'millisecond', 'weekYear', 'localWeekNumber', 'localWeekday', 'localWeekYear'];

  var dateExt = {
    beginningOf: function (d, a) { return sameKind(d, toDT(d).startOf(a[0] || 'week')); },
    endOfMonth: function (d) { return sameKind(d, toDT(d).endOf('month')); },
    isDst: function (d) { return toDT(d).isInDST; },
    isWeekend: function (d) { var w = toDT(d).weekday; return w === 6 || w === 7; },
    isInLast: function (d, a) {
      var n = a[0] === undefined ? 0 : a[0]; var u = a[1] === undefined ? 'minutes' : a[1];
      var dt = toDT(d); var now = L().now().setZone(zone);
      var o = {}; o[normUnit(u) || u] = n;
      var past = now.minus(o);
      return dt >= past && dt <= now;
    },
    isInNext: function (d, a) {
      var n = a[0] === undefined ? 0 : a[0]; var u = a[1] === undefined ? 'minutes' : a[1];
      var dt = toDT(d); var now = L().now().setZone(zone);
      var o = {}; o[normUnit(u) || u] = n;
      return dt <= now.plus(o) && dt >= now;
    },
    isBetween: function (d, a) {
      if (a.length !== 2) throw extError('isBetween(): expected exactly two args');
      for (var x = 0; x < 2; x++) if (typeof a[x] !== 'string' && !(a[x] instanceof Date) && !isDateTime(a[x])) throw new TypeError('isBetween(): expected dates or date strings');
      var first = tryToParseDateTime(a[0]), second = tryToParseDateTime(a[1]);
      var dt = toDT(d);
      if (first > second) { var t = first; first = second; second = t; }
      return dt > first && dt < second;
    },
    minus: function (d, a) { return sameKind(d, toDT(d).minus(durationArgs(a))); },
    plus: function (d, a) { return sameKind(d, toDT(d).plus(durationArgs(a))); },
    format: function (d, a) { return toDT(d).toFormat(a[0]); },
    extract: function (d, a) {
      var part = a[0] === undefined ? 'week' : a[0];
      var unit = EXTRACT_ALIASES[part] || part;
      if (EXTRACT_UNITS.indexOf(unit) === -1) return null;
      return toDT(d).get(unit);
    },
    toDateTime: function (d) { return d instanceof Date ? L().fromJSDate(d, { zone: zone }) : d; },
    toInt: function (d) { return d.valueOf(); },
    toFloat: function (d) { return d.valueOf(); },
    diffTo: function (d, a) {
      var other = tryToParseDateTime(a[0]);
      var unit = a[1] === undefined ? 'days' : a[1];
      var units = isArray(unit) ? unit : [unit];
      for (var i = 0; i < units.length; i++) {
        if (!normUnit(units[i])) throw extError("Unsupported unit '" + String(units[i]) + "'. Supported: " + DURATION_UNITS.map(function (x) { return "'" + x + "'"; }).join(', ') + '.');
      }
      var norm = units.map(normUnit);
      var diff = toDT(d).diff(other, norm);
      if (isArray(unit)) return diff.toObject();
      return diff.as(norm[0]);
    },
    isEmpty: function () { return false; },
    isNotEmpty: function () { return true; },
  };

  // ---------------------------------------------------------------- strings
  var CURRENCY = /[$\u20ac\u00a3\u00a5\u20b9\u20bd\u00a2\u20a9\u20aa\u20ab\u20ad\u20ae\u20b1\u20b2\u20b4\u20b5\u20b8\u20ba\u20bc\u20be]/g;
  var SMALL_WORDS = ['a', 'an', 'and', 'as', 'at', 'but', 'by', 'en', 'for', 'if', 'in', 'nor', 'of', 'on', 'or', 'per', 'the', 'to', 'v', 'v.', 'vs', 'vs.', 'via'];
  var DOMAIN_RE = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?::\d{1,5})?$/i;
  var EMAIL_RE = /^[^\s@"(),:;<>\[\]\\']+@[^\s@"(),:;<>\[\]\\']+\.[^\s@"(),:;<>\[\]\\']+$/;
  function isDomainString(s) {
    if (!DOMAIN_RE.test(s)) return false;
    var host = s.split(':')[0];
    var tld = host.slice(host.lastIndexOf('.') + 1);
    return /[a-z]/i.test(tld);
  }
  function formEncode(s) {
    return encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()~]/g, function (c) { return '%' + c.charCodeAt(0).toString(16).toUpperCase(); });
  }
  function removeMarkdown(md) {
    var out = String(md);
    out = out.replace(/<[^>]*>/g, '');
    out = out.replace(/^(-\s*?|\*\s*?|_\s*?){3,}\s*$/gm, '');
    out = out.replace(/^([\s\t]*)([*\-+]|\d+\.)\s+/gm, '$1');
    out = out.replace(/\n={2,}/g, '\n').replace(/~{3}.*\n/g, '').replace(/~~/g, '').replace(/` +
  '`' +
  String.raw`{3}.*\n/g, '');
    out = out.replace(/!\[(.*?)\][\[(].*?[\])]/g, '$1');
    out = out.replace(/\[(.*?)\][\[(].*?[\])]/g, '$1');
    out = out.replace(/^\s{0,3}>\s?/gm, '');
    out = out.replace(/^\s{1,2}\[(.*?)\]: (\S+)( ".*?")?\s*$/g, '');
    out = out.replace(/^(\n)?\s{0,}#{1,6}\s+| {0,}(\n)?\s{0,}#{0,} #{0,}(\n)?\s{0,}$/gm, '$1$2$3');
    out = out.replace(/([*_]{1,3})(\S.*?\S{0,1})\1/g, '$2');
    out = out.replace(/([*_]{1,3})(\S.*?\S{0,1})\1/g, '$2');
    out = out.replace(/(` +
  '`' +
  String.raw`{3,})(.*?)\1/gm, '$2');
    out = out.replace(/` +
  '`' +
  String.raw`(.+?)` +
  '`' +
  String.raw`/g, '$1');
    return out;
  }
  function toSentenceCase(value) {
    var current = value, buffer = '';
    var charRe = /\p{L}/u, puncRe = /[.!?]/;
    while (charRe.test(current)) {
      var ci = current.search(charRe);
      current = current.slice(0, ci) + current[ci].toLocaleUpperCase() + current.slice(ci + 1).toLocaleLowerCase();
      var pi = current.search(puncRe);
      if (pi === -1) { buffer += current; current = ''; break; }
      buffer += current.slice(0, pi + 1);
      current = current.slice(pi + 1);
    }
    return buffer;
  }
  var stringExt = {
    isEmpty: function (s) { return s === ''; },
    isNotEmpty: function (s) { return s !== ''; },
    hash: function (s, a) {
      var alg = a[0] === undefined ? 'md5' : String(a[0]);
      var lower = alg.toLowerCase();
      if (lower === 'base64') return SB.base64Encode(s);
      if (['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'sha3'].indexOf(lower) === -1)
        throw extError('Unknown algorithm ' + alg + '. Available algorithms are: md5,sha1,sha224,sha256,sha384,sha512,sha3, and Base64.');
      return SB.hash(lower, s, 'hex');
    },
    removeTags: function (s) { return s.replace(/<[^>]*>?/gm, ''); },
    removeMarkdown: function (s) { return removeMarkdown(s); },
    toDate: function (s) {
      var d = new Date(s.toString());
      if (isNaN(d.getTime())) throw extError('cannot convert to date');
      return d;
    },
    toDateTime: function (s, a) {
      var fmt = a[0];
      if (fmt !== undefined) {
        if (fmt === 'ms' || fmt === 's' || fmt === 'us' || fmt === 'excel') return numberExt.toDateTime(Number(s), [fmt]);
        var parsed = L().fromFormat(s, fmt, { zone: zone });
        if (!parsed.isValid) throw extError('cannot convert to Luxon DateTime');
        return parsed;
      }
      return tryToParseDateTime(s);
    },
    toBoolean: function (s) {
      var n = s.toLowerCase();
      return n.length > 0 && n !== 'false' && n !== 'no' && n !== '0';
    },
    toFloat: function (s) {
      if (s.indexOf(',') !== -1) throw extError('cannot convert to float, expected . as decimal separator');
      var f = parseFloat(s.replace(CURRENCY, ''));
      if (isNaN(f)) throw extError('cannot convert to float');
      return f;
    },
    toNumber: function (s) {
      var n = Number(s.replace(CURRENCY, ''));
      if (isNaN(n)) throw extError('cannot convert to number');
      return n;
    },
    toInt: function (s) {
      var i = parseInt(s.replace(CURRENCY, ''), 10);
      if (isNaN(i)) throw extError('cannot convert to integer');
      return i;
    },
    toSentenceCase: function (s) { return toSentenceCase(s); },
    toSnakeCase: function (s) {
      return s.replace(/(\p{Ll})(\p{Lu})/gu, '$1_$2').toLocaleLowerCase().replace(/[^\p{L}\p{N}]+/gu, '_').replace(/^_+|_+$/g, function (m, off) { return off === 0 && s[0] === '_' ? m : ''; });
    },
    toTitleCase: function (s) {
      return s.split(' ').map(function (w, i) {
        if (w === '') return w;
        if (i > 0 && SMALL_WORDS.indexOf(w.toLowerCase()) !== -1) return w;
        return w.charAt(0).toLocaleUpperCase() + w.slice(1);
      }).join(' ');
    },
    urlEncode: function (s, a) { return a[0] ? encodeURI(s) : encodeURIComponent(s); },
    urlDecode: function (s, a) { return a[0] ? decodeURI(s) : decodeURIComponent(s); },
    replaceSpecialChars: function (s) { return s.normalize('NFKD').replace(/[\u0300-\u036f]/g, ''); },
    quote: function (s, a) {
      var q = a[0] === undefined ? '"' : String(a[0]);
      return q + s.split(q).join('\\' + q) + q;
    },
    isNumeric: function (s) {
      if (s.indexOf(' ') !== -1) return false;
      return !isNaN(s) && !isNaN(parseFloat(s));
    },
    isUrl: function (s) {
      try { var u = new URL(s); return u.protocol === 'http:' || u.protocol === 'https:' ? u.hostname !== '' : true; } catch (e) { return false; }
    },
    isDomain: function (s) { return isDomainString(s); },
    isEmail: function (s) { return s.indexOf(' ') === -1 && EMAIL_RE.test(s); },
    extractEmail: function (s) {
      var m = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/.exec(s);
      return m ? m[0] : undefined;
    },
    extractDomain: function (s) {
      var str = s.trim();
      var at = /^(?:mailto:)?[^\s@/]+@([^\s@/?#:]+)/i.exec(str);
      if (at) return at[1];
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(str) || str.indexOf('//') === 0) {
        try { var u = new URL(str.indexOf('//') === 0 ? 'http:' + str : str); return u.hostname || undefined; } catch (e) { return undefined; }
      }
      var host = str.split(/[/?#]/)[0];
      return isDomainString(host) ? host.split(':')[0] : undefined;
    },
    extractUrl: function (s) {
      var m = /https?:\/\/[^\s<>"']+/i.exec(s);
      return m ? m[0] : undefined;
    },
    extractUrlPath: function (s) {
      try { return new URL(s).pathname; } catch (e) { return undefined; }
    },
    parseJson: function (s) {
      try { return JSON.parse(s); } catch (e) { throw extError("Parsing failed. Check you're using double quotes"); }
    },
    base64Encode: function (s) { return SB.base64Encode(s); },
    base64Decode: function (s) { return SB.base64Decode(s); },
    toJsonString: function (s) { return JSON.stringify(s); },
  };
  stringExt.toDecimalNumber = stringExt.toFloat;
  stringExt.toWholeNumber = stringExt.toInt;

  // ---------------------------------------------------------------- numbers and booleans
  var numberExt = {
    ceil: function (n) { return Math.ceil(n); },
    floor: function (n) { return Math.floor(n); },
    round: function (n, a) { var p = Math.pow(10, a[0] || 0); return Math.round(n * p) / p; },
    abs: function (n) { return Math.abs(n); },
    isEven: function (n) { if (!Number.isInteger(n)) throw extError('isEven() is only callable on integers'); return n % 2 === 0; },
    isOdd: function (n) { if (!Number.isInteger(n)) throw extError('isOdd() is only callable on integers'); return Math.abs(n % 2) === 1; },
    isInteger: function (n) { return Number.isInteger(n); },
    format: function (n, a) { return new Intl.NumberFormat(a[0] === undefined ? 'en-US' : a[0], a[1] || {}).format(n); },
    toBoolean: function (n) { return n !== 0; },
    toInt: function (n) { return Math.round(n); },
    toFloat: function (n) { return n; },
    toNumber: function (n) { return n; },
    toDateTime: function (n, a) {
      L();
      var f = a[0] === undefined ? 'ms' : a[0];
      var opts = { zone: zone };
      if (f === 's') return DateTime.fromSeconds(n, opts);
      if (f === 'us') return DateTime.fromMillis(n / 1000, opts);
      if (f === 'excel') return DateTime.fromMillis((n - 25569) * 86400 * 1000, opts);
      return DateTime.fromMillis(n, opts);
    },
    isEmpty: function () { return false; },
    isNotEmpty: function () { return true; },
  };
  var booleanExt = {
    toInt: function (b) { return b ? 1 : 0; },
    toFloat: function (b) { return b ? 1 : 0; },
    toNumber: function (b) { return b ? 1 : 0; },
    toBoolean: function (b) { return b; },
    isEmpty: function () { return false; },
    isNotEmpty: function () { return true; },
  };

  // ---------------------------------------------------------------- arrays
  function compactValue(v) {
    if (isArray(v)) {
      var out = [];
      for (var i = 0; i < v.length; i++) {
        var x = v[i];
        if (x === null || x === undefined || x === '' || x === 'nil') continue;
        out.push(typeof x === 'object' ? compactValue(x) : x);
      }
      return out;
    }
    if (isPlainObject(v)) {
      var o = {};
      var keys = Object.keys(v);
      for (var k = 0; k < keys.length; k++) {
        var val = v[keys[k]];
        if (val === null || val === undefined || val === '' || val === 'nil') continue;
        o[keys[k]] = typeof val === 'object' ? compactValue(val) : val;
      }
      return o;
    }
    return v;
  }
  function deepMerge(a, b) {
    var out = {};
    var k;
    for (k in a) if (hasOwn.call(a, k)) out[k] = a[k];
    for (k in b) {
      if (!hasOwn.call(b, k)) continue;
      if (isPlainObject(out[k]) && isPlainObject(b[k])) out[k] = deepMerge(out[k], b[k]);
      else out[k] = b[k];
    }
    return out;
  }
  var arrayExt = {
    isEmpty: function (l) { return l.length === 0; },
    isNotEmpty: function (l) { return l.length > 0; },
    first: function (l) { return l[0]; },
    last: function (l) { return l[l.length - 1]; },
    randomItem: function (l) { return l[Math.floor(Math.random() * l.length)]; },
    sum: function (l) { ensureNumbers(l, 'sum'); var s = 0; for (var i = 0; i < l.length; i++) s += l[i]; return s; },
    average: function (l) { ensureNumbers(l, 'average'); if (l.length === 0) return 0; var s = 0; for (var i = 0; i < l.length; i++) s += l[i]; return s / l.length; },
    max: function (l) { ensureNumbers(l, 'max'); return Math.max.apply(null, l); },
    min: function (l) { ensureNumbers(l, 'min'); return Math.min.apply(null, l); },
    pluck: function (l, a) {
      if (a.length === 0) return l;
      var objs = l.filter(function (o) { return o !== null && typeof o === 'object'; });
      if (a.length === 1) return objs.map(function (o) { return o[a[0]]; }).filter(function (v) { return v !== undefined; });
      return objs.map(function (o) { return a.map(function (f) { return o[f]; }); });
    },
    unique: function (l, a) {
      if (a.length === 0) return uniqueBy(l, function (x) { return x; });
      return uniqueBy(l, function (x) { return a.map(function (f) { return x !== null && typeof x === 'object' ? x[f] : undefined; }); });
    },
    merge: function (l, a) {
      var others = a[0];
      var merged = {};
      if (others === undefined) {
        for (var i = 0; i < l.length; i++) {
          var cur = l[i];
          if (!isPlainObject(cur)) continue;
          for (var k in cur) if (hasOwn.call(cur, k) && !hasOwn.call(merged, k)) merged[k] = cur[k];
        }
        return merged;
      }
      if (!isArray(others)) throw extError('merge(): expected array arg, e.g. .merge([{ id: 1, otherValue: 3 }])');
      var n = Math.max(l.length, others.length);
      for (var j = 0; j < n; j++) {
        if (l[j] !== undefined && l[j] !== null && typeof l[j] === 'object' && others[j] !== null && typeof others[j] === 'object')
          merged = Object.assign(merged, deepMerge(l[j], others[j]));
      }
      return merged;
    },
    smartJoin: function (l, a) {
      var out = {};
      for (var i = 0; i < l.length; i++) {
        var o = l[i];
        if (o !== null && typeof o === 'object' && hasOwn.call(o, a[0])) out[String(o[a[0]])] = o[a[1]];
      }
      return out;
    },
    union: function (l, a) {
      if (!isArray(a[0])) throw extError('union(): expected array arg, e.g. .union([1, 2, 3, 4])');
      return uniqueBy(l.concat(a[0]), function (x) { return x; });
    },
    intersection: function (l, a) {
      if (!isArray(a[0])) throw extError('intersection(): expected array arg, e.g. .intersection([1, 2, 3, 4])');
      var other = a[0];
      return uniqueBy(l.filter(function (x) { return other.some(function (y) { return deepEqual(x, y); }); }), function (x) { return x; });
    },
    difference: function (l, a) {
      if (!isArray(a[0])) throw extError('difference(): expected array arg, e.g. .difference([1, 2, 3, 4])');
      var other = a[0];
      return l.filter(function (x) { return !other.some(function (y) { return deepEqual(x, y); }); });
    },
    compact: function (l) { return compactValue(l); },
    chunk: function (l, a) {
      var size = a[0];
      if (typeof size !== 'number' || size === 0) throw extError('chunk(): expected non-zero numeric arg, e.g. .chunk(5)');
      var out = [];
      for (var i = 0; i < l.length; i += size) out.push(l.slice(i, i + size));
      return out;
    },
    append: function (l, a) { return l.concat(a); },
    renameKeys: function (l, a) {
      if (a.length % 2 !== 0) throw extError('renameKeys(): expected an even number of args: from1, to1, from2, to2, ...');
      return l.map(function (o) {
        if (!isPlainObject(o)) return o;
        var copy = Object.assign({}, o);
        for (var i = 0; i < a.length; i += 2) {
          if (hasOwn.call(copy, a[i])) { var v = copy[a[i]]; delete copy[a[i]]; copy[a[i + 1]] = v; }
        }
        return copy;
      });
    },
    toJsonString: function (l) { return JSON.stringify(l); },
  };
  arrayExt.removeDuplicates = arrayExt.unique;

  // ---------------------------------------------------------------- objects
  var objectExt = {
    isEmpty: function (o) { return Object.keys(o).length === 0; },
    isNotEmpty: function (o) { return Object.keys(o).length > 0; },
    hasField: function (o, a) { return hasOwn.call(o, a[0]); },
    removeField: function (o, a) { var c = Object.assign({}, o); delete c[a[0]]; return c; },
    removeFieldsContaining: function (o, a) {
      if (typeof a[0] !== 'string' || a[0] === '') throw extError('removeFieldsContaining(): expected non-empty string arg');
      var out = {};
      for (var k in o) if (hasOwn.call(o, k) && !(typeof o[k] === 'string' && o[k].indexOf(a[0]) !== -1)) out[k] = o[k];
      return out;
    },
    keepFieldsContaining: function (o, a) {
      if (typeof a[0] !== 'string' || a[0] === '') throw extError('keepFieldsContaining(): expected non-empty string arg');
      var out = {};
      for (var k in o) if (hasOwn.call(o, k) && typeof o[k] === 'string' && o[k].indexOf(a[0]) !== -1) out[k] = o[k];
      return out;
    },
    compact: function (o) { return compactValue(o); },
    urlEncode: function (o) {
      return Object.keys(o).map(function (k) { return formEncode(k) + '=' + formEncode(String(o[k])); }).join('&');
    },
    keys: function (o) { return Object.keys(o); },
    values: function (o) { return Object.values(o); },
    toJsonString: function (o) { return JSON.stringify(o); },
    merge: function (o, a) {
      var other = a[0];
      if (!isPlainObject(other)) throw extError('merge(): expected object arg');
      var out = Object.assign({}, o);
      for (var k in other) if (hasOwn.call(other, k) && !hasOwn.call(out, k)) out[k] = other[k];
      return out;
    },
  };
  var genericExt = {
    isEmpty: function (v) { return v === null || v === undefined; },
    isNotEmpty: function (v) { return !(v === null || v === undefined); },
  };
  var EXT = { string: stringExt, number: numberExt, boolean: booleanExt, array: arrayExt, object: objectExt, date: dateExt };

  function ext(receiver, name, args, optional) {
    if (optional && (receiver === null || receiver === undefined)) return undefined;
    var t = typeOfValue(receiver);
    var table = EXT[t];
    if (table && hasOwn.call(table, name)) {
      if (t === 'date' && isDateTime(receiver) && (name === 'plus' || name === 'minus') && (typeof args[0] === 'object' || args.length === 0))
        return receiver[name].apply(receiver, args);
      return table[name](receiver, args);
    }
    if (receiver !== null && receiver !== undefined && typeof receiver[name] === 'function') return receiver[name].apply(receiver, args);
    if (hasOwn.call(genericExt, name)) return genericExt[name](receiver, args);
    if (receiver === null || receiver === undefined) throw new TypeError("Cannot read properties of " + receiver + " (reading '" + name + "')");
    throw new TypeError(name + ' is not a function');
  }

  // ---------------------------------------------------------------- global helpers (n8n's)
  function numberList(start, end) {
    var out = [];
    if (start <= end) for (var i = start; i <= end; i++) out.push(i);
    else for (var j = start; j >= end; j--) out.push(j);
    return out;
  }
  function zip(keys, values) {
    if (keys.length !== values.length) throw extError('keys and values not of equal length');
    var o = {};
    for (var i = 0; i < keys.length; i++) o[keys[i]] = values[i];
    return o;
  }
  function average() { var s = 0; for (var i = 0; i < arguments.length; i++) s += arguments[i]; return arguments.length ? s / arguments.length : NaN; }
  function $if(c, a, b) {
    if (arguments.length < 2 || arguments.length > 3) throw exprError('$if requires at least 2 parameters');
    return c ? a : b;
  }
  function $ifEmpty(v, d) {
    if (arguments.length !== 2) throw exprError('expected two arguments (value, defaultValue) for this function');
    if (v === undefined || v === null || v === '') return d;
    if (isArray(v) && v.length === 0) return d;
    if (isPlainObject(v) && Object.keys(v).length === 0) return d;
    return v;
  }
  function $not(v) { return !v; }
  function $jmespath(data, query) {
    if (data === null || typeof data !== 'object') throw exprError('expected an object or array as the first argument of $jmespath');
    if (typeof query !== 'string') throw exprError('expected a string query as the second argument of $jmespath');
    if (!jmespathLib) {
      jmespathLib = {};
      SB.compile(['exports', 'module', 'require', 'define'], jmespathSource)(jmespathLib, undefined, undefined, undefined);
    }
    return jmespathLib.search(data, query);
  }
  var jsonataLib;
  function $jsonata(expression, data) {
    if (typeof expression !== 'string') throw exprError('expected a JSONata expression string as the first argument of $jsonata');
    if (!jsonataLib) {
      var m = { exports: {} };
      SB.compile(['module', 'exports', 'require', 'define', 'window', 'global', 'self'], jsonataSource)(m, m.exports);
      jsonataLib = m.exports;
    }
    var compiled;
    try { compiled = jsonataLib(expression); } catch (e) { throw exprError('invalid JSONata expression: ' + (e && e.message)); }
    var state = 0, value, failure;
    compiled.evaluate(data).then(function (v) { state = 1; value = v; }, function (e) { state = 2; failure = e; });
    SB.runJobs();
    if (state === 2) throw exprError('JSONata evaluation failed: ' + (failure && failure.message));
    if (state !== 1) throw exprError('JSONata evaluation did not finish');
    if (value !== null && typeof value === 'object') value = JSON.parse(JSON.stringify(value));
    return value;
  }

  Object.defineProperty(G, 'DateTime', { get: function getDateTime() { return L(); }, enumerable: false, configurable: false });
  Object.defineProperty(G, 'Duration', { get: function getDuration() { L(); return Duration; }, enumerable: false, configurable: false });
  Object.defineProperty(G, 'Interval', { get: function getInterval() { L(); return Interval; }, enumerable: false, configurable: false });
  var globalsToDefine = {
    numberList: numberList, zip: zip, average: average,
    min: function () { return Math.min.apply(null, arguments); },
    max: function () { return Math.max.apply(null, arguments); },
  };
  for (var gname in globalsToDefine) Object.defineProperty(G, gname, { value: globalsToDefine[gname], writable: false, enumerable: false, configurable: false });

  SB.addEncoder('DateTime', isDateTime, function (dt) {
    return dt.isValid ? { iso: dt.toISO(), zone: dt.zoneName } : { invalid: true, reason: dt.invalidReason };
  });

  // ---------------------------------------------------------------- the $ environment
  var compileCache = new Map();
  function compileExpr(e) {
    var key = e.params.join(',') + '\u0000' + e.body;
    var fn = compileCache.get(key);
    if (!fn) {
      fn = SB.compile(['__x', '__swallow', '__text'].concat(e.params), e.body);
      if (compileCache.size > 2000) compileCache.clear();
      compileCache.set(key, fn);
    }
    return fn;
  }

  function Batch(p) {
    this.p = p;
    this.ctx = p.ctx;
    this.jsons = p.jsons;
    this.items = p.items || (p.jsons ? new Array(p.jsons.length) : []);
    this.nodes = p.nodes || {};
    this.templates = p.templates || {};
    var tz = p.ctx.timezone || 'UTC';
    zone = tz;
    if (luxonLoaded) Settings.defaultZone = tz;
    this.nowMs = p.ctx.nowMs;
  }
  Batch.prototype.json = function (i) {
    if (this.jsons) {
      var j = this.jsons[i];
      if (j) return j;
      if (this.jsons.length === 0) return this.item(i).json;
      throw exprError('item ' + i + ' is not available');
    }
    return this.item(i).json;
  };
  Batch.prototype.item = function (i) {
    if (this.jsons && this.jsons[i]) return this.items[i] || (this.items[i] = { json: this.jsons[i] });
    var it = this.items[i];
    if (!it) {
      // A node without input items (a trigger) still evaluates its parameters: $json is empty.
      if (this.items.length === 0) return this.emptyItem || (this.emptyItem = { json: {} });
      throw exprError('item ' + i + ' is not available');
    }
    return it;
  };
  Batch.prototype.nodeData = function (name) {
    var nd = this.nodes[name];
    if (!nd) {
      if (this.ctx.knownNodes && this.ctx.knownNodes.indexOf(name) !== -1) throw exprError("Node '" + name + "' hasn't been executed", { description: 'Make sure the node you referenced ran before this one.' });
      throw exprError("Referenced node doesn't exist", { description: "There is no node called '" + name + "' in this workflow." });
    }
    return nd;
  };
  Batch.prototype.outputItems = function (name, branchIndex, runIndex) {
    var nd = this.nodeData(name);
    if (!nd.runs || nd.runs.length === 0) throw exprError("Node '" + name + "' hasn't been executed", { description: 'Make sure the node you referenced ran before this one.' });
    var run = runIndex === undefined || runIndex === null || runIndex === -1 ? nd.runs.length - 1 : runIndex;
    var r = nd.runs[run];
    if (!r) throw exprError('Run ' + run + ' of node "' + name + '" not found');
    var out = branchIndex === undefined || branchIndex === null ? (nd.defaultOutput || 0) : branchIndex;
    var items = r[out];
    return items || [];
  };
  Batch.prototype.paired = function (name, itemIndex) {
    var nd = this.nodeData(name);
    var entry = nd.lineage && nd.lineage[itemIndex];
    if (entry === undefined || entry === null) throw exprError("Can't get data for expression", { description: "Paired item information for node '" + name + "' is missing." });
    if (entry.i) return entry.i;
    if (!isArray(entry)) throw exprError(entry.message, { description: entry.description });
    var run = nd.runs[entry[0]];
    var items = run && run[entry[1]];
    var item = items && items[entry[2]];
    if (!item) throw exprError("Can't get data for expression", { description: "The paired item of node '" + name + "' is missing." });
    return item;
  };
  function NodeAccessor(batch, name, itemIndex, nd) {
    this._b = batch;
    this._n = name;
    this._i = itemIndex;
    this.isExecuted = nd.executed === undefined ? !!(nd.runs && nd.runs.length > 0) : nd.executed;
    this.params = nd.params || {};
    this.context = nd.context || {};
  }
  NodeAccessor.prototype.all = function (branchIndex, runIndex) { return this._b.outputItems(this._n, branchIndex, runIndex); };
  NodeAccessor.prototype.first = function (branchIndex, runIndex) { return this._b.outputItems(this._n, branchIndex, runIndex)[0]; };
  NodeAccessor.prototype.last = function (branchIndex, runIndex) { var l = this._b.outputItems(this._n, branchIndex, runIndex); return l[l.length - 1]; };
  NodeAccessor.prototype.itemMatching = function (i) {
    if (typeof i !== 'number') throw exprError('itemMatching() requires the index of an input item, e.g. itemMatching(0)');
    return this._b.paired(this._n, i);
  };
  NodeAccessor.prototype.pairedItem = function (i) { return this._b.paired(this._n, i === undefined ? this._i : i); };
  Object.defineProperty(NodeAccessor.prototype, 'item', { get: function () { return this._b.paired(this._n, this._i); }, enumerable: true });
  Batch.prototype.nodeAccessor = function (name, itemIndex) {
    if (typeof name !== 'string') throw exprError('$() requires the name of a node, e.g. $("Edit Fields")');
    return new NodeAccessor(this, name, itemIndex, this.nodeData(name));
  };
  Batch.prototype.legacyNode = function (itemIndex) {
    var batch = this;
    var target = {};
    return new Proxy(target, {
      get: function (t, name) {
        if (typeof name !== 'string') return undefined;
        var nd = batch.nodeData(name);
        var run = nd.runs && nd.runs.length ? Math.min(batch.ctx.runIndex, nd.runs.length - 1) : 0;
        var items = nd.runs && nd.runs[run] ? nd.runs[run][nd.defaultOutput || 0] || [] : [];
        var it = items[itemIndex] || items[0];
        return {
          json: it ? it.json : undefined, data: it ? it.json : undefined, binary: it ? it.binary : undefined,
          parameter: nd.params || {}, runIndex: run, context: nd.context || {},
        };
      },
      has: function (t, name) { return typeof name === 'string' && !!batch.nodes[name]; },
      set: function () { return false; },
    });
  };
  Batch.prototype.inputItems = function (inputIndex) {
    if (inputIndex === undefined || inputIndex === null) return this.items;
    var inputs = this.p.inputs;
    if (!inputs || !inputs[inputIndex]) throw exprError('no data on input ' + inputIndex);
    return inputs[inputIndex];
  };
  var VARS = {
    $json: function (b, i) { return b.json(i); },
    $data: function (b, i) { return b.json(i); },
    $binary: function (b, i) { return b.item(i).binary || {}; },
    $thisItem: function (b, i) { return b.item(i); },
    $itemIndex: function (b, i) { return i; },
    $runIndex: function (b) { return b.ctx.runIndex; },
    $nodeVersion: function (b) { return b.ctx.nodeVersion; },
    $nodeId: function (b) { return b.ctx.nodeId; },
    $mode: function (b) { return b.ctx.execution.mode; },
    $position: function (b, i) { return i; },
    $webhookId: function (b) { return b.ctx.webhookId; },
    $now: function (b) { return b.now || (b.now = L().fromMillis(b.nowMs, { zone: zone })); },
    $today: function (b) { return b.today || (b.today = VARS.$now(b).startOf('day')); },
    $prevNode: function (b) { return b.ctx.prevNode || {}; },
    $workflow: function (b) { return b.ctx.workflow; },
    $vars: function (b) { return b.ctx.vars; },
    $secrets: function (b) { return b.ctx.secrets || {}; },
    $parameter: function (b) { return b.ctx.parameter; },
    $env: function (b) {
      if (!b.ctx.env) throw exprError('access to env vars denied', { description: 'Environment variables are not available to expressions unless the instance allows them.' });
      return b.ctx.env;
    },
    $execution: function (b) {
      var ex = b.ctx.execution;
      var custom = ex.customData || {};
      return {
        id: ex.id,
        mode: ex.mode === 'manual' ? 'test' : 'production',
        resumeUrl: ex.resumeUrl,
        resumeFormUrl: ex.resumeFormUrl,
        customData: {
          get: function (k) { return custom[k]; },
          getAll: function () { return Object.assign({}, custom); },
          set: function (k, v) { custom[String(k)] = String(v); b.customDataChanged = true; },
          setAll: function (o) { for (var k in o) custom[k] = String(o[k]); b.customDataChanged = true; },
        },
      };
    },
    $input: function (b, i) {
      var inp = {
        all: function (inputIndex) { return b.inputItems(inputIndex); },
        first: function (inputIndex) { return b.inputItems(inputIndex)[0]; },
        last: function (inputIndex) { var l = b.inputItems(inputIndex); return l[l.length - 1]; },
        params: b.ctx.parameter,
        context: {},
      };
      Object.defineProperty(inp, 'item', { get: function () { return b.item(i); }, enumerable: true });
      return inp;
    },
    $: function (b, i) { return function $(name) { return b.nodeAccessor(name, i); }; },
    $node: function (b, i) { return b.legacyNode(i); },
    $items: function (b) {
      return function (name, outputIndex, runIndex) {
        if (name === undefined) return b.items;
        return b.outputItems(name, outputIndex === undefined ? 0 : outputIndex, runIndex === undefined ? -1 : runIndex);
      };
    },
    $item: function (b) {
      return function (index) {
        if (typeof index !== 'number') throw exprError('$item() requires an item index, e.g. $item(0)');
        return b.env(index);
      };
    },
    $evaluateExpression: function (b, i) {
      return function (template, index) {
        var t = String(template);
        var compiled = b.templates[t];
        if (!compiled) {
          b.missing.push(t);
          throw marked('NeedsCompile', 'template not compiled yet');
        }
        if (compiled.error) throw exprError(compiled.error);
        return b.run(compiled, index === undefined ? i : index);
      };
    },
    $jmespath: function () { return $jmespath; },
    $jsonata: function () { return $jsonata; },
    $if: function () { return $if; },
    $ifEmpty: function () { return $ifEmpty; },
    $not: function () { return $not; },
    $max: function () { return G.max; },
    $min: function () { return G.min; },
    $average: function () { return average; },
  };
  Batch.prototype.variable = function (name, i) {
    var extra = this.ctx.additional;
    if (extra && hasOwn.call(extra, name)) return extra[name];
    var get = VARS[name];
    return get ? get(this, i) : undefined;
  };
  Batch.prototype.env = function (i) {
    var b = this;
    var env = {};
    Object.keys(VARS).forEach(function (name) {
      Object.defineProperty(env, name, { get: function () { return b.variable(name, i); }, enumerable: true });
    });
    return env;
  };
  Batch.prototype.run = function (e, i) {
    var fn = e.fn || (e.fn = compileExpr(e));
    var params = e.params;
    var args = [ext, swallow, text];
    for (var k = 0; k < params.length; k++) args.push(this.variable(params[k], i));
    return fn.apply(undefined, args);
  };

  function describe(e) {
    if (e === null || typeof e !== 'object') return { message: String(e), name: 'Error' };
    var out = { message: String(e.message), name: String(e.name) };
    if (e.__bf_description) out.description = String(e.__bf_description);
    return out;
  }

  // A script (the Code node): the same environment, plus items/item, once or for each item.
  SB.defineHandler('n8n.runCode', function (p) {
    var batch = new Batch(p);
    batch.missing = [];
    var names = p.params || [];
    var params = ['__x', '__swallow', '__text'].concat(names, ['items', 'item']);
    var body = p.async ? 'return (async () => {\n' + p.code + '\n})();' : p.code;
    var lineOffset = p.async ? 3 : 2;
    var fn = SB.compile(params, body);
    function settle(v) {
      if (v === null || typeof v !== 'object' || typeof v.then !== 'function') return v;
      var state = 0, value, failure;
      v.then(function (x) { state = 1; value = x; }, function (e) { state = 2; failure = e; });
      SB.runJobs();
      if (state === 2) throw failure;
      if (state !== 1) throw exprError('the script is still waiting for a promise that never settles');
      return value;
    }
    function call(i) {
      var args = [ext, swallow, text];
      for (var k = 0; k < names.length; k++) args.push(batch.variable(names[k], i));
      args.push(batch.items);
      args.push(batch.items[i]);
      try {
        return settle(fn.apply(undefined, args));
      } catch (e) {
        if (e !== null && typeof e === 'object' && typeof e.stack === 'string' && !e.__bfDetails) {
          var m = /\(<input>:(\d+)/.exec(e.stack);
          if (m) {
            try { Object.defineProperty(e, '__bfDetails', { value: { line: Math.max(1, Number(m[1]) - lineOffset), itemIndex: i } }); } catch (x) { /* frozen error */ }
          }
        }
        throw e;
      }
    }
    if (p.mode === 'runOnceForEachItem') return p.indices.map(call);
    return call(0);
  });

  // Column mode: one generated loop per expression over its item indices, variables set inline.
  var columnCache = new Map();
  function compileColumn(e) {
    var key = e.params.join(',') + '\u0000' + e.valueExpr;
    var fn = columnCache.get(key);
    if (fn) return fn;
    var decls = '';
    for (var k = 0; k < e.params.length; k++) {
      var name = e.params[k];
      if (name === '$json' || name === '$data') decls += 'var ' + name + ' = __b.json(__i);\n';
      else if (name === '$itemIndex') decls += 'var $itemIndex = __i;\n';
      else decls += 'var ' + name + ' = __b.variable(' + JSON.stringify(name) + ', __i);\n';
    }
    var body = 'for (var __k = 0, __n = __idx.length; __k < __n; __k++) {\n var __i = __idx[__k];\n' + decls +
      ' try { __res[__k] = ' + e.valueExpr + '; } catch (__e) { __res[__k] = __fail(__e); }\n}';
    fn = SB.compile(['__x', '__swallow', '__text', '__fail', '__b', '__idx', '__res'], body);
    if (columnCache.size > 2000) columnCache.clear();
    columnCache.set(key, fn);
    return fn;
  }
  // Limits end the whole batch (the context is rebuilt); anything else is the item's own failure.
  function isFatal(err) {
    if (!err) return false;
    if (err.name === 'InternalError') return true;
    return err.name === 'RangeError' && /call stack|stack overflow/i.test(String(err.message));
  }
  // Result markers are recognised by identity, so a user value cannot pass for one.
  var markers = new WeakSet();
  function marker(m) { markers.add(m); return m; }
  function fail(err) {
    if (isFatal(err)) throw err;
    if (err && err.name === 'NeedsCompile') return marker({ '\u0000': 'retry' });
    if (isKept(err)) return marker({ '\u0000': 'error', d: describe(err) });
    return undefined;
  }
  function encodeResult(v) {
    if (typeof v === 'string' || typeof v === 'boolean' || v === null || (typeof v === 'number' && isFinite(v))) return v;
    if (v !== null && typeof v === 'object' && markers.has(v)) return v;
    return SB.encode(v);
  }
  function syntaxFailure(error) {
    return marker({ '\u0000': 'error', d: { name: 'SyntaxError', message: 'invalid syntax: ' + String(error && error.message) } });
  }

  // A batch: evaluate columns [{ e, idx }] (or item-major tasks when expressions mutate items)
  // and return encoded results as raw JSON text.
  SB.defineHandler('n8n.evaluate', function (p) {
    var batch = new Batch(p);
    batch.missing = [];
    var exprs = p.exprs;
    var res = {};
    if (p.columns) {
      var cols = new Array(p.columns.length);
      for (var c = 0; c < p.columns.length; c++) {
        var col = p.columns[c];
        var e = exprs[col.e];
        var out = new Array(col.idx.length);
        var fn;
        try { fn = compileColumn(e); } catch (compileError) { fn = null; for (var z = 0; z < out.length; z++) out[z] = syntaxFailure(compileError); }
        if (fn) {
          fn(ext, swallow, text, fail, batch, col.idx, out);
          for (var j = 0; j < out.length; j++) out[j] = encodeResult(out[j]);
        }
        cols[c] = out;
      }
      res.columns = cols;
    } else {
      var tasks = p.tasks;
      for (var q = 0; q < exprs.length; q++) {
        try { exprs[q].fn = compileExpr(exprs[q]); } catch (compileError2) { exprs[q].fn = null; exprs[q].fnError = compileError2; }
      }
      var results = new Array(tasks.length / 2);
      for (var t = 0, r = 0; t < tasks.length; t += 2, r++) {
        var ex = exprs[tasks[t]];
        if (ex.fnError) { results[r] = syntaxFailure(ex.fnError); continue; }
        try { results[r] = encodeResult(batch.run(ex, tasks[t + 1])); } catch (err) { results[r] = encodeResult(fail(err)); }
      }
      res.results = results;
    }
    if (batch.missing.length) res.missing = batch.missing;
    if (batch.customDataChanged) res.customData = batch.ctx.execution.customData;
    if (p.mutating) {
      var changed = {};
      for (var m = 0; m < p.mutating.length; m++) { var idx = p.mutating[m]; if (batch.items[idx]) changed[idx] = SB.encode(batch.json(idx)); }
      res.items = changed;
    }
    return JSON.stringify(res);
  });
})();
`;
