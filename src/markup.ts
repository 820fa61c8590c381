// Renderer-neutral text for findings: paragraphs of spans (plain text, code, emphasis, links)
// and bullet lists. Playbooks build it with the helpers below and never write mrkdwn or ANSI;
// slack/render.ts turns it into escaped mrkdwn, render/text.ts into terminal text.
import * as z from 'zod';

export const SpanSchema = z.union([
  z.string(),
  z.object({ code: z.string() }).strict(),
  z.object({ strong: z.string() }).strict(),
  z.object({ link: z.string(), text: z.string() }).strict(),
]);
export type Span = z.infer<typeof SpanSchema>;

const ParagraphSchema = z.object({ p: z.array(SpanSchema) }).strict();
const ListSchema = z.object({ list: z.array(z.array(SpanSchema)) }).strict();
/** preformatted lines, kept as they are (a policy diff, a command listing) */
const PreSchema = z.object({ pre: z.string() }).strict();
export const BlockSchema = z.union([ParagraphSchema, ListSchema, PreSchema]);
export type Block = z.infer<typeof BlockSchema>;

export const RichTextSchema = z.array(BlockSchema);
export type RichText = z.infer<typeof RichTextSchema>;

/** Inline code: a command, an id, a field name. */
export const code = (text: string): Span => ({ code: text });
export const strong = (text: string): Span => ({ strong: text });
export const link = (url: string, text: string): Span => ({ link: url, text });

/** One paragraph from its spans; empty strings and `false` are dropped (for `cond && …`). */
export const para = (...spans: Array<Span | false | undefined>): Block => ({
  p: spans.filter((s): s is Span => s !== false && s !== undefined && s !== ''),
});

/** A bullet list, one item per argument. */
export const list = (...items: Array<Span | Span[]>): Block => ({ list: items.map((i) => (Array.isArray(i) ? i : [i])) });

/** Preformatted lines (a diff, a listing), shown as a code block. */
export const pre = (text: string): Block => ({ pre: text });

/** Rich text from blocks, or one paragraph from plain spans. */
export function rich(...parts: Array<Block | Span | false | undefined>): RichText {
  const out: RichText = [];
  let spans: Span[] = [];
  const flush = () => {
    if (spans.length > 0) out.push({ p: spans });
    spans = [];
  };
  for (const part of parts) {
    if (part === false || part === undefined || part === '') continue;
    if (typeof part === 'object' && ('p' in part || 'list' in part || 'pre' in part)) {
      flush();
      out.push(part);
    } else spans.push(part);
  }
  flush();
  return out;
}

export interface SpanStyle {
  text(s: string): string;
  code(s: string): string;
  strong(s: string): string;
  link(url: string, text: string): string;
  bullet: string;
  pre(text: string): string;
}

/** Renders rich text with a style: paragraphs and list items one per line. */
export function renderRich(r: RichText, style: SpanStyle): string {
  const spans = (ss: readonly Span[]) =>
    ss
      .map((s) =>
        typeof s === 'string' ? style.text(s) : 'code' in s ? style.code(s.code) : 'strong' in s ? style.strong(s.strong) : style.link(s.link, s.text),
      )
      .join('');
  return r.map((b) => ('p' in b ? spans(b.p) : 'pre' in b ? style.pre(b.pre) : b.list.map((item) => `${style.bullet}${spans(item)}`).join('\n'))).join('\n');
}

const plainStyle: SpanStyle = {
  text: (s) => s,
  code: (s) => s,
  strong: (s) => s,
  link: (url, text) => (text && text !== url ? `${text} (${url})` : url),
  bullet: '• ',
  pre: (text) => text,
};

/** The text without markup: what JSON's `detail` carries and what a terminal shows. */
export const plainText = (r: RichText): string => renderRich(r, plainStyle);
