import { defineNode, type JsonObject } from '@budflow/node-sdk';
import type { NodeHtmlMarkdownOptions } from 'node-html-markdown';
import { z } from 'zod';
import { setPath, toJsonObject } from '../internal/data-path.js';
import { looseString } from '../internal/schema.js';
import { lazySchema } from '../../../shared/index.js';

const patternPair = lazySchema(() =>
  z.object({
    pattern: z.string().default(''),
    replacement: z.string().default(''),
  }),
);

const htmlToMarkdownOptions = {
  bulletMarker: z.string().optional(),
  codeFence: z.string().optional(),
  emDelimiter: z.string().optional(),
  globalEscape: z.object({ value: patternPair().optional() }).optional(),
  ignore: z.string().optional(),
  keepDataImages: z.boolean().optional(),
  lineStartEscape: z.object({ value: patternPair().optional() }).optional(),
  maxConsecutiveNewlines: z.number().optional(),
  useLinkReferenceDefinitions: z.boolean().optional(),
  strongDelimiter: z.string().optional(),
  codeBlockStyle: z.enum(['fence', 'indented']).optional(),
  textReplace: z.object({ values: z.array(patternPair()).optional() }).optional(),
  blockElements: z.string().optional(),
};

/** showdown's options that n8n exposes, passed through as set. */
const markdownToHtmlOptions = {
  openLinksInNewWindow: z.boolean().optional(),
  simplifiedAutoLink: z.boolean().optional(),
  backslashEscapesHTMLTags: z.boolean().optional(),
  completeHTMLDocument: z.boolean().optional(),
  customizedHeaderId: z.boolean().optional(),
  emoji: z.boolean().optional(),
  encodeEmails: z.boolean().optional(),
  excludeTrailingPunctuationFromURLs: z.boolean().optional(),
  ghCodeBlocks: z.boolean().optional(),
  ghCompatibleHeaderId: z.boolean().optional(),
  ghMentionsLink: z.string().optional(),
  ghMentions: z.boolean().optional(),
  tasklists: z.boolean().optional(),
  headerLevelStart: z.number().optional(),
  requireSpaceBeforeHeadingText: z.boolean().optional(),
  literalMidWordAsterisks: z.boolean().optional(),
  literalMidWordUnderscores: z.boolean().optional(),
  noHeaderId: z.boolean().optional(),
  parseImgDimensions: z.boolean().optional(),
  prefixHeaderId: z.string().optional(),
  rawHeaderId: z.boolean().optional(),
  rawPrefixHeaderId: z.boolean().optional(),
  simpleLineBreaks: z.boolean().optional(),
  smartIndentationFix: z.boolean().optional(),
  disableForced4SpacesIndentedSublists: z.boolean().optional(),
  splitAdjacentBlockquotes: z.boolean().optional(),
  strikethrough: z.boolean().optional(),
  tablesHeaderId: z.boolean().optional(),
  tables: z.boolean().optional(),
};
const SHOWDOWN_OPTION_KEYS = Object.keys(markdownToHtmlOptions) as Array<
  keyof typeof markdownToHtmlOptions
>;

const paramsSchema = () =>
  z.object({
    mode: z.enum(['markdownToHtml', 'htmlToMarkdown']).default('htmlToMarkdown'),
    html: looseString(),
    markdown: looseString(),
    destinationKey: z.string().default('data'),
    options: z.object({ ...htmlToMarkdownOptions, ...markdownToHtmlOptions }).default({}),
  });

export type MarkdownParams = z.infer<ReturnType<typeof paramsSchema>>;

const splitList = (value: string | undefined) =>
  value ? value.split(',').map((element) => element.trim()) : undefined;

/** Maps n8n's option names onto node-html-markdown's, passing only the options that are set. */
function htmlToMarkdownSettings(
  options: MarkdownParams['options'],
): Partial<NodeHtmlMarkdownOptions> {
  const settings: Record<string, unknown> = {
    bulletMarker: options.bulletMarker,
    codeFence: options.codeFence,
    emDelimiter: options.emDelimiter,
    keepDataImages: options.keepDataImages,
    maxConsecutiveNewlines: options.maxConsecutiveNewlines,
    useLinkReferenceDefinitions: options.useLinkReferenceDefinitions,
    strongDelimiter: options.strongDelimiter,
    codeBlockStyle: options.codeBlockStyle,
    ignore: splitList(options.ignore),
    blockElements: splitList(options.blockElements),
  };
  const textReplace = options.textReplace?.values ?? [];
  if (textReplace.length > 0) {
    settings.textReplace = textReplace.map((entry) => [entry.pattern, entry.replacement]);
  }
  const lineStart = options.lineStartEscape?.value;
  if (lineStart) settings.lineStartEscape = [lineStart.pattern, lineStart.replacement];
  const globalEscape = options.globalEscape?.value;
  if (globalEscape) settings.globalEscape = [globalEscape.pattern, globalEscape.replacement];
  // n8n drops falsy options (e.g. a max of 0 new lines falls back to the library default).
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => Boolean(value)));
}

/** n8n's Markdown node: HTML to Markdown (node-html-markdown) and Markdown to HTML (showdown). */
export const markdownNode = defineNode<MarkdownParams>({
  type: 'budflow.markdown',
  version: 1,
  title: 'Markdown',
  description: 'Convert data between Markdown and HTML',
  category: 'files',
  compat: { n8n: { type: 'n8n-nodes-base.markdown', versions: [1] } },
  params: paramsSchema,
  async perItem({ item, params }) {
    const output: JsonObject = toJsonObject(item.json);
    if (params.mode === 'htmlToMarkdown') {
      // Loaded on first use (~15 MB): most workflows never convert Markdown.
      const { NodeHtmlMarkdown } = await import('node-html-markdown');
      const markdown = NodeHtmlMarkdown.translate(
        String(params.html),
        htmlToMarkdownSettings(params.options),
      );
      setPath(output, params.destinationKey, markdown);
      return output;
    }
    const { default: showdown } = await import('showdown');
    const converter = new showdown.Converter();
    for (const key of SHOWDOWN_OPTION_KEYS) {
      const value = params.options[key];
      if (value !== undefined) converter.setOption(key, value);
    }
    setPath(output, params.destinationKey, converter.makeHtml(String(params.markdown)));
    return output;
  },
});
