import type { BinaryRef } from '../item/item.js';
import type { BinaryHelpers } from './define-node.js';

const MIME_BY_EXTENSION: Record<string, string> = {
  json: 'application/json',
  txt: 'text/plain',
  csv: 'text/csv',
  html: 'text/html',
  htm: 'text/html',
  xml: 'application/xml',
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  ics: 'text/calendar',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  md: 'text/markdown',
};

function fileTypeOf(mimeType: string): BinaryRef['fileType'] | undefined {
  if (mimeType === 'application/json') return 'json';
  if (mimeType === 'text/html') return 'html';
  if (mimeType === 'application/pdf') return 'pdf';
  const top = mimeType.split('/')[0];
  if (top === 'text' || top === 'image' || top === 'audio' || top === 'video') return top;
  return undefined;
}

/** Human-readable size as n8n prints it (`1.2 kB`, `15 B`). */
export function formatFileSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toFixed(1))} ${units[unit]}`;
}

/** Binary helpers that keep bytes inline as base64 (library mode, tests). */
export function createInMemoryBinaryHelpers(): BinaryHelpers {
  return {
    async prepareBinaryData(data, fileName, mimeType) {
      const extension = fileName?.includes('.')
        ? fileName.split('.').pop()!.toLowerCase()
        : undefined;
      const mime =
        mimeType ??
        (extension ? MIME_BY_EXTENSION[extension] : undefined) ??
        'application/octet-stream';
      const ref: BinaryRef = {
        data: Buffer.from(data).toString('base64'),
        mimeType: mime,
        fileSize: formatFileSize(data.byteLength),
        bytes: data.byteLength,
      };
      const fileType = fileTypeOf(mime);
      if (fileType) ref.fileType = fileType;
      if (fileName) ref.fileName = fileName;
      if (extension) ref.fileExtension = extension;
      return ref;
    },
    async getBinaryBuffer(ref) {
      if (ref.id)
        throw new Error(`binary data '${ref.id}' is in external storage; no store is configured`);
      return Buffer.from(ref.data, 'base64');
    },
  };
}
