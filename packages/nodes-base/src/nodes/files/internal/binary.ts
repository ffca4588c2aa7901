import {
  type BinaryHelpers,
  type BinaryRef,
  type Item,
  type NodeContextBase,
} from '@budflow/node-sdk';
import type iconvLite from 'iconv-lite';
import { getPath } from './data-path.js';
import { itemError } from './item-loop.js';
import { loadOnce } from '../../../shared/index.js';

/** The context's binary helpers (in memory for now; a store adapter later). */
export function binaryHelpers(ctx: NodeContextBase): BinaryHelpers {
  return ctx.helpers;
}

/** The bytes of a binary entry. */
export function readBinary(ctx: NodeContextBase, ref: BinaryRef): Promise<Buffer> {
  return binaryHelpers(ctx).getBinaryBuffer(ref);
}

/** The input item's binary entry, or an error saying which field is missing. */
export function requireBinary(
  ctx: NodeContextBase,
  item: Item,
  itemIndex: number,
  propertyName: string,
): BinaryRef {
  if (!item.binary || Object.keys(item.binary).length === 0) {
    throw itemError(ctx, `No binary data exists on item ${itemIndex}`, itemIndex, {
      description: 'Connect a node that outputs a file, or check the input field name',
    });
  }
  const ref = getPath(item.binary, propertyName) as BinaryRef | undefined;
  if (!ref || typeof ref !== 'object' || typeof ref.data !== 'string') {
    throw itemError(
      ctx,
      `This operation expects the node's input data to contain a binary file '${propertyName}', but none was found [item ${itemIndex}]`,
      itemIndex,
      { description: 'Make sure that the previous node outputs a binary field with this name' },
    );
  }
  return ref;
}

/*
 * iconv-lite (~8 MB of memory) and chardet (~6 MB) are loaded when a file node first encodes or
 * decodes text; chardet only when the bytes are neither UTF-8 nor marked UTF-16.
 */
type Iconv = typeof iconvLite;
const loadIconv = loadOnce(() => import('iconv-lite').then((m) => m.default));
const loadChardet = loadOnce(() => import('chardet'));

function assertEncoding(iconv: Iconv, encoding: string): string {
  if (!iconv.encodingExists(encoding)) {
    throw new Error(`the encoding '${encoding}' is not supported`);
  }
  return encoding;
}

/** Encodes text like n8n's file nodes (iconv-lite, optional byte order mark). */
export async function encodeText(text: string, encoding = 'utf8', addBOM = false): Promise<Buffer> {
  const iconv = await loadIconv();
  return iconv.encode(text, assertEncoding(iconv, encoding), { addBOM });
}

/** Decodes bytes; without an encoding the bytes are sniffed (UTF-8, UTF-16 BOMs, else Latin-1). */
export async function decodeText(
  buffer: Buffer,
  encoding?: string,
  stripBOM = true,
): Promise<string> {
  const iconv = await loadIconv();
  const used = encoding || (await detectEncoding(iconv, buffer));
  return iconv.decode(buffer, assertEncoding(iconv, used), { stripBOM });
}

/**
 * The encoding of text bytes: a UTF-16 byte order mark, valid UTF-8, else chardet's guess (as
 * n8n detects it), else Latin-1.
 */
async function detectEncoding(iconv: Iconv, buffer: Buffer): Promise<string> {
  if (buffer.length >= 2) {
    if (buffer[0] === 0xff && buffer[1] === 0xfe) return 'utf-16le';
    if (buffer[0] === 0xfe && buffer[1] === 0xff) return 'utf-16be';
  }
  if (isUtf8(buffer)) return 'utf-8';
  const guess = (await loadChardet()).detect(buffer);
  if (guess && !/^utf-?8$/i.test(guess) && iconv.encodingExists(guess)) return guess;
  return 'latin1';
}

function isUtf8(buffer: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buffer);
    return true;
  } catch {
    return false;
  }
}

const EXTENSION_BY_MIME: Record<string, string> = {
  'text/plain': 'txt',
  'application/json': 'json',
  'text/csv': 'csv',
  'text/html': 'html',
  'text/calendar': 'ics',
  'application/xml': 'xml',
  'text/xml': 'xml',
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'application/rtf': 'rtf',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
};

const MIME_BY_EXTENSION: Record<string, string> = {
  txt: 'text/plain',
  rtf: 'application/rtf',
  xls: 'application/vnd.ms-excel',
  xml: 'application/xml',
};

/**
 * Stores bytes as binary data the way n8n's `prepareBinaryData` labels them: the MIME type from
 * the argument, else from the file name; the file extension from the name, else from the MIME type.
 */
export async function storeBinary(
  ctx: NodeContextBase,
  data: Uint8Array,
  fileName?: string,
  mimeType?: string,
): Promise<BinaryRef> {
  const extension = fileName?.includes('.') ? fileName.split('.').pop()!.toLowerCase() : undefined;
  const mime = mimeType || (extension ? MIME_BY_EXTENSION[extension] : undefined);
  const ref = await binaryHelpers(ctx).prepareBinaryData(data, fileName || undefined, mime);
  if (!ref.fileExtension) {
    const fromMime = EXTENSION_BY_MIME[ref.mimeType.split(';')[0]!.trim()];
    if (fromMime) ref.fileExtension = fromMime;
  }
  return ref;
}
