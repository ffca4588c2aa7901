import type { JsonObject } from '@budflow/node-sdk';
import { toJsonObject, toJsonValue } from './data-path.js';

export interface PdfOptions {
  password?: string;
  /** 0 or unset: every page. */
  maxPages?: number;
  /** Join the pages' text with blank lines (default) or return one string per page. */
  joinPages?: boolean;
}

interface TextItemLike {
  str?: string;
  transform?: number[];
}

/** A page's text: items on the same baseline are joined, a new baseline starts a new line. */
function pageText(items: readonly TextItemLike[]): string {
  let lastY: number | undefined;
  const parts: string[] = [];
  for (const item of items) {
    if (typeof item.str !== 'string') continue;
    const y = item.transform?.[5];
    parts.push(lastY === undefined || lastY === 0 || lastY === y ? item.str : `\n${item.str}`);
    lastY = y;
  }
  return parts.join('');
}

/**
 * Text and metadata of a PDF (pdf.js, no rendering), shaped as n8n's Extract from File returns
 * them: `numpages`, `numrender`, `info`, `metadata`, `text`, `version`.
 */
export async function extractPdf(buffer: Buffer, options: PdfOptions): Promise<JsonObject> {
  const { getDocument, version } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = getDocument({
    data: new Uint8Array(buffer),
    password: options.password || undefined,
    isEvalSupported: false,
    verbosity: 0,
  });
  const document = await task.promise;
  try {
    const { info, metadata } = await document
      .getMetadata()
      .catch(() => ({ info: null, metadata: null }));
    const pages: string[] = [];
    if (options.maxPages !== 0) {
      const count =
        options.maxPages && options.maxPages < document.numPages
          ? options.maxPages
          : document.numPages;
      for (let number = 1; number <= count; number++) {
        const page = await document.getPage(number);
        const content = await page.getTextContent();
        pages.push(pageText(content.items as TextItemLike[]));
      }
    }
    const metadataEntries =
      metadata && typeof (metadata as Iterable<unknown>)[Symbol.iterator] === 'function'
        ? Object.fromEntries([...(metadata as Iterable<[string, unknown]>)])
        : undefined;
    return {
      numpages: document.numPages,
      numrender: document.numPages,
      info: info === null ? null : toJsonObject(info),
      metadata: metadataEntries === undefined ? undefined : toJsonObject(metadataEntries),
      text: options.joinPages === false ? pages : pages.join('\n\n'),
      version: toJsonValue(version) ?? null,
    };
  } finally {
    await task.destroy();
  }
}
