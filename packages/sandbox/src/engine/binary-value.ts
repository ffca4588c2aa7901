/**
 * QuickJS's binary object format (`JS_WriteObject` with object references, BC_VERSION 5 of the
 * 2025-09-13 release that quickjs-emscripten 0.32 ships) for the JSON subset: a raw handler's
 * attached value crosses as these bytes instead of `JSON.stringify` text, which QuickJS writes
 * ~8× slower than it writes this format (property by property, number by number, in WebAssembly).
 *
 * Only what `JSON.stringify` would write the same way is accepted: null, booleans, numbers,
 * strings, plain objects and arrays, dates. Anything else (BigInt, typed arrays, boxed primitives,
 * maps, a value reached twice: a shared object or a cycle) makes `binaryValueFits` refuse the
 * bytes, and the engine then asks the handler for its JSON text instead. `decodeBinaryValue` gives
 * what `JSON.parse(JSON.stringify(value))` gives.
 */

const VERSION = 5;
const TAG_NULL = 1;
const TAG_UNDEFINED = 2;
const TAG_FALSE = 3;
const TAG_TRUE = 4;
const TAG_INT32 = 5;
const TAG_FLOAT64 = 6;
const TAG_STRING = 7;
const TAG_OBJECT = 8;
const TAG_ARRAY = 9;
const TAG_DATE = 17;

class Refused extends Error {}

/** Length of `JSON.stringify(s)` for a string's UTF-16 code units (escapes included). */
function quotedLatin1Length(bytes: Uint8Array, start: number, end: number): number {
  let n = end - start + 2;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c < 0x20) n += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 1 : 5;
    else if (c === 0x22 || c === 0x5c) n += 1;
  }
  return n;
}

function quotedWideLength(bytes: Uint8Array, start: number, end: number): number {
  let n = (end - start) / 2 + 2;
  for (let i = start; i < end; i += 2) {
    const c = bytes[i]! | (bytes[i + 1]! << 8);
    if (c < 0x20) n += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 1 : 5;
    else if (c === 0x22 || c === 0x5c) n += 1;
    else if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate is written as \uXXXX; a pair stays as it is.
      const next = i + 3 < end ? bytes[i + 2]! | (bytes[i + 3]! << 8) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i += 2;
      else n += 5;
    }
  }
  return n;
}

function dateJsonLength(time: number): number {
  if (!Number.isFinite(time) || Math.abs(time) > 8.64e15) return 4;
  return new Date(time).toISOString().length + 2;
}

function numberJsonLength(d: number): number {
  if (!Number.isFinite(d)) return 4;
  if (Number.isSafeInteger(d)) {
    let n = d < 0 ? 2 : 1;
    for (let a = Math.abs(d); a >= 10; a = Math.floor(a / 10)) n++;
    return n;
  }
  return String(d).length;
}

/**
 * One walk over the bytes: checks that they hold one value of the accepted subset and nothing
 * else, nested at most `maxDepth` levels, and adds up the length of its JSON text: exactly, or
 * (cheaper: no character or digit is looked at) an upper bound of it.
 */
class Scanner {
  private pos = 0;
  private readonly end: number;
  private readonly view: DataView;
  private readonly atomLengths: number[] = [];

  constructor(
    private readonly bytes: Uint8Array,
    private readonly maxDepth: number,
    private readonly exact: boolean,
    private readonly refuseKeys: readonly string[] = [],
  ) {
    this.end = bytes.length;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The JSON length (or its bound); undefined when the bytes are refused. */
  length(): number | undefined {
    try {
      if (this.byte() !== VERSION) return undefined;
      const atomCount = this.leb();
      for (let i = 0; i < atomCount; i++) {
        const start = this.pos;
        this.atomLengths.push(this.string());
        if (this.refuseKeys.length > 0 && this.refuseKeys.includes(this.atomText(start)))
          return undefined;
      }
      const length = this.value(0);
      return length >= 0 && this.pos === this.end ? length : undefined;
    } catch (error) {
      if (error instanceof Refused) return undefined;
      throw error;
    }
  }

  /** The text of the string written at `start` (a property name: short). */
  private atomText(start: number): string {
    const end = this.pos;
    this.pos = start;
    const header = this.leb();
    const from = this.pos;
    this.pos = end;
    const text = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + from, end - from);
    return text.toString(header % 2 === 1 ? 'utf16le' : 'latin1');
  }

  private byte(): number {
    if (this.pos >= this.end) throw new Refused();
    return this.bytes[this.pos++]!;
  }

  private leb(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    throw new Refused();
  }

  private string(): number {
    const header = this.leb();
    const wide = header % 2 === 1;
    const units = Math.floor(header / 2);
    const start = this.pos;
    this.pos += wide ? units * 2 : units;
    if (this.pos > this.end) throw new Refused();
    // At most six characters per code unit (\u001f) and the quotes.
    if (!this.exact) return units * 6 + 2;
    return wide
      ? quotedWideLength(this.bytes, start, this.pos)
      : quotedLatin1Length(this.bytes, start, this.pos);
  }

  private number(tag: number): number {
    if (tag === TAG_INT32) {
      const v = this.leb();
      return v % 2 === 1 ? -(v + 1) / 2 : v / 2;
    }
    if (this.pos + 8 > this.end) throw new Refused();
    const d = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return d;
  }

  // JSON length of a value; -1 for undefined (left out of objects, null in arrays).
  private value(depth: number): number {
    const tag = this.byte();
    switch (tag) {
      case TAG_NULL:
      case TAG_TRUE:
        return 4;
      case TAG_FALSE:
        return 5;
      case TAG_UNDEFINED:
        return -1;
      case TAG_INT32:
      case TAG_FLOAT64: {
        const d = this.number(tag);
        // The longest number JavaScript writes: -2.2250738585072014e-308.
        return this.exact ? numberJsonLength(d) : 24;
      }
      case TAG_STRING:
        return this.string();
      case TAG_DATE: {
        const inner = this.byte();
        if (inner !== TAG_INT32 && inner !== TAG_FLOAT64) throw new Refused();
        const time = this.number(inner);
        return this.exact ? dateJsonLength(time) : 29;
      }
      case TAG_OBJECT: {
        if (depth >= this.maxDepth) throw new Refused();
        const count = this.leb();
        let length = 2;
        let members = 0;
        for (let i = 0; i < count; i++) {
          const atom = this.leb();
          let keyLength: number;
          if (atom % 2 === 1) keyLength = numberJsonLength((atom - 1) / 2) + 2;
          else {
            const index = atom / 2 - 1;
            if (index < 0 || index >= this.atomLengths.length) throw new Refused();
            keyLength = this.atomLengths[index]!;
          }
          const v = this.value(depth + 1);
          if (v < 0) continue;
          length += keyLength + 1 + v + (members > 0 ? 1 : 0);
          members++;
        }
        return length;
      }
      case TAG_ARRAY: {
        if (depth >= this.maxDepth) throw new Refused();
        const count = this.leb();
        let length = 2 + Math.max(0, count - 1);
        for (let i = 0; i < count; i++) {
          const v = this.value(depth + 1);
          length += v < 0 ? 4 : v;
        }
        return length;
      }
      default:
        throw new Refused();
    }
  }
}

/**
 * The length of the JSON text of the value the bytes hold, when they hold one value of the
 * accepted subset nested at most `maxDepth` levels of objects and arrays; `undefined` if not.
 */
export function measureBinaryValue(bytes: Uint8Array, maxDepth: number): number | undefined {
  return new Scanner(bytes, maxDepth, true).length();
}

/**
 * Whether the bytes hold one value of the accepted subset, nested at most `maxDepth` levels, whose
 * JSON text has at most `room` characters and no property named in `refuseKeys`. Counts exactly
 * only when a cheap bound does not fit.
 */
export function binaryValueFits(
  bytes: Uint8Array,
  maxDepth: number,
  room: number,
  refuseKeys: readonly string[] = [],
): boolean {
  const bound = new Scanner(bytes, maxDepth, false, refuseKeys).length();
  if (bound === undefined) return false;
  if (bound <= room) return true;
  const exact = measureBinaryValue(bytes, maxDepth);
  return exact !== undefined && exact <= room;
}

const UNDEFINED = Symbol('undefined');
/** Properties from which an object is built with `Object.fromEntries` (see `wideObject`). */
const WIDE_OBJECT = 20;

/**
 * Objects of more than four properties are made by constructors whose prototype is
 * Object.prototype (ordinary objects all the same), one per number of properties from five to ten.
 * V8 gives `{}` room for four properties inside the object and puts more in a separate array,
 * which made copying them later (Edit Fields) slower; a constructor's objects get room for as many
 * as its first objects had (ten at most), as JSON.parse's objects have.
 */
function plainObjectClass(): new () => Record<string, unknown> {
  const PlainObject = function PlainObject() {} as unknown as new () => Record<string, unknown>;
  PlainObject.prototype = Object.prototype;
  return PlainObject;
}
const OBJECT_CLASSES = Array.from({ length: 11 }, (_, n) =>
  n > 4 ? plainObjectClass() : undefined,
);

function zigzag(v: number): number {
  return (v >>> 1) ^ -(v & 1);
}

/** Reads bytes `binaryValueFits` accepted; a class so the hot fields stay in one object. */
class Reader {
  private pos = 0;
  private readonly atoms: string[] = [];
  private readonly seen = new Map<string, string>();
  private readonly text: Buffer;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  read(): unknown {
    if (this.bytes[this.pos++] !== VERSION) throw new Error('not a QuickJS binary value');
    const count = this.leb();
    for (let i = 0; i < count; i++) {
      // V8 stores properties under internalized strings: internalize each key once, here (a
      // computed key in a literal defines an own property, even for "__proto__").
      this.atoms.push(Object.keys({ [this.string()]: 0 })[0]!);
    }
    const value = this.value(0);
    if (this.pos !== this.bytes.length)
      throw new Error('trailing bytes after a QuickJS binary value');
    return value;
  }

  private leb(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    let b = bytes[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let value = b & 0x7f;
    let scale = 128;
    do {
      b = bytes[pos++]!;
      value += (b & 0x7f) * scale;
      scale *= 128;
    } while (b >= 0x80);
    this.pos = pos;
    return value;
  }

  private string(): string {
    const header = this.leb();
    const units = Math.floor(header / 2);
    const start = this.pos;
    if (header % 2 === 1) {
      this.pos = start + units * 2;
      return this.text.toString('utf16le', start, this.pos);
    }
    this.pos = start + units;
    if (units <= 12) {
      // Short strings: cheaper than a native call each, and still flat (V8 makes a longer
      // concatenation a rope).
      const bytes = this.bytes;
      let s = '';
      for (let i = start; i < this.pos; i++) s += String.fromCharCode(bytes[i]!);
      // One string per distinct short value (JSON.parse internalizes them): items made here are
      // still young when the next node runs, and each copy would be moved by its scavenges
      // (Edit Fields took ~40 % longer with a string per item for a city or a tag).
      const seen = this.seen.get(s);
      if (seen !== undefined) return seen;
      if (this.seen.size < 4096) this.seen.set(s, s);
      return s;
    }
    return this.text.toString('latin1', start, this.pos);
  }

  private number(tag: number): number {
    // Zigzag decoded with 32-bit operations: a small integer (a Smi for V8, as JSON.parse makes
    // it), not a double, so the fields that hold it stay unboxed integers.
    if (tag === TAG_INT32) return zigzag(this.leb());
    const d = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return d;
  }

  /**
   * Objects with many properties: V8 turns an object that gets more than ~25 properties one
   * assignment at a time into a dictionary (slow to read and copy for every node after this one;
   * `Object.assign` of 10,000 40-field objects plus a field: 66-88 ms against 5-6 ms in a
   * microbenchmark), while `Object.fromEntries` keeps it fast, as JSON.parse does. It also
   * defines "__proto__" as an own property.
   */
  private wideObject(count: number, depth: number): Record<string, unknown> {
    const entries: Array<[string, unknown]> = [];
    const atoms = this.atoms;
    for (let i = 0; i < count; i++) {
      const atom = this.leb();
      const key = atom % 2 === 1 ? String((atom - 1) / 2) : atoms[atom / 2 - 1]!;
      const v = this.value(depth + 1);
      if (v !== UNDEFINED) entries.push([key, v]);
    }
    return Object.fromEntries(entries);
  }

  private value(depth: number): unknown {
    if (depth > 1000) throw new Error('QuickJS binary value nested too deeply');
    const tag = this.bytes[this.pos++];
    switch (tag) {
      case TAG_NULL:
        return null;
      case TAG_UNDEFINED:
        return UNDEFINED;
      case TAG_FALSE:
        return false;
      case TAG_TRUE:
        return true;
      case TAG_INT32:
        return this.number(tag);
      case TAG_FLOAT64: {
        const d = this.number(tag);
        // JSON has no NaN or Infinity, and writes -0 as 0.
        return Number.isFinite(d) ? d + 0 : null;
      }
      case TAG_STRING:
        return this.string();
      case TAG_DATE: {
        const time = this.number(this.bytes[this.pos++]!);
        return Number.isFinite(time) && Math.abs(time) <= 8.64e15
          ? new Date(time).toISOString()
          : null;
      }
      case TAG_OBJECT: {
        const count = this.leb();
        if (count > WIDE_OBJECT) return this.wideObject(count, depth);
        const PlainObject = OBJECT_CLASSES[Math.min(count, 10)];
        const object: Record<string, unknown> = PlainObject ? new PlainObject() : {};
        const atoms = this.atoms;
        for (let i = 0; i < count; i++) {
          const atom = this.leb();
          const key = atom % 2 === 1 ? String((atom - 1) / 2) : atoms[atom / 2 - 1]!;
          const v = this.value(depth + 1);
          if (v === UNDEFINED) continue;
          if (key === '__proto__') {
            Object.defineProperty(object, key, {
              value: v,
              writable: true,
              enumerable: true,
              configurable: true,
            });
          } else object[key] = v;
        }
        return object;
      }
      case TAG_ARRAY: {
        const count = this.leb();
        const array: unknown[] = [];
        for (let i = 0; i < count; i++) {
          const v = this.value(depth + 1);
          array.push(v === UNDEFINED ? null : v);
        }
        return array;
      }
      default:
        throw new Error(`unexpected tag ${String(tag)} in a QuickJS binary value`);
    }
  }
}

/** The value bytes accepted by `binaryValueFits` hold, as `JSON.parse` of its JSON text. */
export function decodeBinaryValue(bytes: Uint8Array): unknown {
  const value = new Reader(bytes).read();
  return value === UNDEFINED ? undefined : value;
}

/** Writes JSON data in QuickJS's binary object format; see `encodeBinaryValue`. */
class Writer {
  private buffer: Buffer;
  private pos = 0;
  private readonly atoms = new Map<string, number>();
  private readonly atomList: string[] = [];

  constructor(
    private readonly maxBytes: number,
    size = 1024,
  ) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  private room(bytes: number): void {
    const need = this.pos + bytes;
    if (need > this.maxBytes) throw new Refused();
    if (need <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < need) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.pos);
    this.buffer = grown;
  }

  private byte(b: number): void {
    this.room(1);
    this.buffer[this.pos++] = b;
  }

  private leb(v: number): void {
    this.room(5);
    const buffer = this.buffer;
    while (v >= 0x80) {
      buffer[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buffer[this.pos++] = v;
  }

  private string(s: string): void {
    const n = s.length;
    if (n >= 0x40000000) throw new Refused();
    // Written as Latin-1 in one pass (a native write per short string costs more); a character
    // past U+00FF rewrites it as UTF-16 (the header keeps its length: only its low bit changes).
    const headerAt = this.pos;
    this.leb(n * 2);
    this.room(n);
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) {
        this.pos = headerAt;
        this.leb(n * 2 + 1);
        this.room(n * 2);
        this.pos += this.buffer.write(s, this.pos, 'utf16le');
        return;
      }
      buffer[pos++] = c;
    }
    this.pos = pos;
  }

  private atom(key: string): void {
    let index = this.atoms.get(key);
    if (index === undefined) {
      index = this.atomList.length;
      this.atoms.set(key, index);
      this.atomList.push(key);
    }
    this.leb((index + 1) * 2);
  }

  value(v: unknown, depth: number): void {
    switch (typeof v) {
      case 'string':
        this.byte(TAG_STRING);
        this.string(v);
        return;
      case 'number':
        if (!Number.isFinite(v)) this.byte(TAG_NULL);
        else if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) {
          this.byte(TAG_INT32);
          this.leb(((v << 1) ^ (v >> 31)) >>> 0);
        } else {
          this.byte(TAG_FLOAT64);
          this.room(8);
          this.buffer.writeDoubleLE(v, this.pos);
          this.pos += 8;
        }
        return;
      case 'boolean':
        this.byte(v ? TAG_TRUE : TAG_FALSE);
        return;
      case 'object':
        break;
      default:
        // undefined, functions and symbols are the caller's (left out, or null in arrays);
        // BigInt is an error JSON reports.
        throw new Refused();
    }
    if (v === null) {
      this.byte(TAG_NULL);
      return;
    }
    if (depth > 1000) throw new Refused();
    if (Array.isArray(v)) {
      if (Object.getPrototypeOf(v) !== Array.prototype) throw new Refused();
      const n = v.length;
      this.byte(TAG_ARRAY);
      this.leb(n);
      for (let i = 0; i < n; i++) {
        const item: unknown = v[i];
        const t = typeof item;
        if (t === 'undefined' || t === 'function' || t === 'symbol') this.byte(TAG_NULL);
        else this.value(item, depth + 1);
      }
      return;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    // Dates, class instances, anything with a toJSON: JSON.stringify's own rules apply.
    if ((proto !== Object.prototype && proto !== null) || 'toJSON' in v) throw new Refused();
    const object = v as Record<string, unknown>;
    const keys = Object.keys(object);
    let count = 0;
    const values: unknown[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const item = object[keys[i]!];
      const t = typeof item;
      if (t === 'undefined' || t === 'function' || t === 'symbol') values[i] = UNDEFINED;
      else {
        values[i] = item;
        count++;
      }
    }
    this.byte(TAG_OBJECT);
    this.leb(count);
    for (let i = 0; i < keys.length; i++) {
      if (values[i] === UNDEFINED) continue;
      this.atom(keys[i]!);
      this.value(values[i], depth + 1);
    }
  }

  /** The header (version and atoms) followed by the value written so far. */
  finish(): Uint8Array {
    const body = this.buffer.subarray(0, this.pos);
    const head = new Writer(this.maxBytes, 64 + this.atomList.length * 16);
    head.byte(VERSION);
    head.leb(this.atomList.length);
    for (const atom of this.atomList) head.string(atom);
    const out = new Uint8Array(head.pos + body.length);
    out.set(head.buffer.subarray(0, head.pos), 0);
    out.set(body, head.pos);
    return out;
  }
}

/**
 * JSON data (what `JSON.parse(JSON.stringify(value))` gives, for values of plain objects, arrays,
 * strings, numbers, booleans and null) in QuickJS's binary object format, for
 * `decodeBinaryJSON` inside the sandbox. `undefined` for anything else (a Date or any object with
 * a toJSON, class instances, BigInt, a top-level undefined, nesting past 1,000 levels: a cycle)
 * and past `maxBytes`: the caller sends JSON text instead.
 */
export function encodeBinaryValue(value: unknown, maxBytes: number): Uint8Array | undefined {
  const writer = new Writer(maxBytes);
  try {
    writer.value(value, 0);
    return writer.finish();
  } catch (error) {
    if (error instanceof Refused) return undefined;
    throw error;
  }
}
