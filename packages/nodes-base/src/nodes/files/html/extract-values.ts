import type { JsonObject, JsonValue } from '@budflow/node-sdk';
import type { Cheerio, load as loadHtml } from 'cheerio';
import type { HtmlToTextOptions, convert as convertHtml } from 'html-to-text';

/*
 * cheerio and html-to-text are loaded on first use: they weigh ~15 MB of memory and most
 * workflows never parse HTML.
 */
let libraries: { load: typeof loadHtml; convert: typeof convertHtml } | undefined;

/** Loads the HTML libraries; call (and await) before `extractFromHtml`. */
export async function loadHtmlLibraries(): Promise<void> {
  if (libraries) return;
  const [cheerio, htmlToText] = await Promise.all([import('cheerio'), import('html-to-text')]);
  libraries = { load: cheerio.load, convert: htmlToText.convert };
}

function html(): NonNullable<typeof libraries> {
  if (!libraries) throw new Error('HTML libraries not loaded: await loadHtmlLibraries() first');
  return libraries;
}
import { z } from 'zod';
import { lazySchema } from '../../../shared/index.js';

export const extractionValueSchema = lazySchema(() =>
  z.object({
    key: z.string().default(''),
    cssSelector: z.string().default(''),
    returnValue: z.enum(['attribute', 'html', 'text', 'value']).default('text'),
    attribute: z.string().optional(),
    skipSelectors: z.string().default(''),
    returnArray: z.boolean().default(false),
  }),
);
export type ExtractionValue = z.infer<ReturnType<typeof extractionValueSchema>>;

export interface ExtractOptions {
  trimValues?: boolean;
  cleanUpText?: boolean;
}

/**
 * How a value is post-processed: `legacy` trims unless `trimValues` is false (HTML Extract and
 * old HTML nodes); `current` trims and cleans up only when the options ask for it (HTML node).
 */
export type ExtractStyle = { kind: 'legacy' } | { kind: 'current'; typeVersion: number };

function rawValue(
  selection: Cheerio<any>,
  spec: ExtractionValue,
  style: ExtractStyle,
): string | string[] | Record<string, string> | undefined {
  switch (spec.returnValue) {
    case 'attribute': {
      // Without an attribute name cheerio returns every attribute, as n8n outputs then.
      const value: unknown =
        spec.attribute === undefined ? selection.attr() : selection.attr(spec.attribute);
      return value as string | undefined;
    }
    case 'html':
      return selection.html() || undefined;
    case 'value':
      return selection.val();
    case 'text': {
      if (style.kind === 'legacy') return selection.text();
      if (style.typeVersion <= 1.1) return selection.text() || undefined;
      let options: HtmlToTextOptions | undefined;
      if (spec.skipSelectors) {
        options = {
          selectors: spec.skipSelectors
            .split(',')
            .map((selector) => ({ selector: selector.trim(), format: 'skip' })),
        };
      }
      return html().convert(selection.html() || '', options);
    }
  }
}

function finish(
  value: string | string[] | Record<string, string> | undefined,
  options: ExtractOptions,
  style: ExtractStyle,
): JsonValue | undefined {
  if (value === undefined || typeof value !== 'string') return value;
  if (style.kind === 'legacy') return options.trimValues === false ? value : value.trim();
  let out = value;
  if (options.trimValues) out = out.trim();
  if (options.cleanUpText) {
    out = out
      .replace(/^\s+|\s+$/g, '')
      .replace(/(\r\n|\n|\r)/gm, '')
      .replace(/\s+/g, ' ');
  }
  return out;
}

/** Extracts each configured value from one HTML document. */
export function extractFromHtml(
  source: string,
  values: readonly ExtractionValue[],
  options: ExtractOptions,
  style: ExtractStyle,
): JsonObject {
  const $ = html().load(source);
  const out: JsonObject = {};
  for (const spec of values) {
    // An empty selector matches nothing (cheerio would otherwise reject it).
    const selection = spec.cssSelector ? $(spec.cssSelector) : $([]);
    let value: JsonValue | undefined;
    if (spec.returnArray) {
      const list: JsonValue[] = [];
      selection.each((_, element) => {
        list.push(finish(rawValue($(element), spec, style), options, style) ?? null);
      });
      value = list;
    } else {
      value = finish(rawValue(selection, spec, style), options, style);
    }
    if (spec.key === '__proto__') continue;
    Object.defineProperty(out, spec.key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
