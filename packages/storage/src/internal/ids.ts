import { randomFillSync } from 'node:crypto';

// Random bytes come from a pool refilled 4 KiB at a time: a synchronous `randomBytes(16)` per id
// cost more than the rest of an id (ids are made per execution, on the hot path of webhooks).
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let poolOffset = POOL_SIZE;

function randomFromPool(size: number): Buffer {
  if (poolOffset + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_SIZE));
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + size);
  poolOffset += size;
  return bytes;
}

let lastMs = -1;
let counter = 0;

/**
 * A UUIDv7 id: time-ordered, so ids sort by creation and index well. Within one millisecond a
 * 12-bit counter keeps ids from this process increasing (the spec's "fixed-length counter").
 */
export function newId(now: number = Date.now()): string {
  let ms = Math.max(now, lastMs);
  if (ms === lastMs) {
    counter++;
    if (counter > 0xfff) {
      ms = lastMs + 1;
      counter = 0;
    }
  } else {
    counter = randomFromPool(2).readUInt16BE(0) & 0x3ff;
  }
  lastMs = ms;
  const bytes = randomFromPool(16);
  // 48-bit milliseconds, big-endian (plain numbers: exact up to 2^53).
  for (let i = 5, t = ms; i >= 0; i--, t = Math.floor(t / 256)) bytes[i] = t % 256;
  bytes[6] = 0x70 | ((counter >> 8) & 0x0f);
  bytes[7] = counter & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
