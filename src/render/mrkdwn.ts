// Text from users and from AWS goes through `esc` before it reaches mrkdwn, so a name like
// `<!channel>` or `<https://evil|click>` cannot ping a channel or hide a link.
import { renderRich, type RichText, type SpanStyle } from '../markup.js';
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inline code that stays code: backticks inside would end it early. */
export function code(text: string): string {
  return '`' + esc(text).replace(/`/g, 'ˋ') + '`';
}

/** A Slack date token, shown in the reader's time zone, with a UTC fallback. */
export function slackDate(iso: string): string {
  const d = new Date(iso);
  // a time AWS sent that is not one: shown as it came, never a crash of the whole message
  if (Number.isNaN(d.getTime())) return esc(iso);
  const fallback = `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(d.getTime() / 1000)}^{date_short} {time}|${fallback}>`;
}

/** Cuts to `max` characters on a line boundary where possible, saying what was cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf('\n', max - 40);
  return `${text.slice(0, cut > max / 2 ? cut : max - 40)}\n…(cut, ${text.length - (cut > max / 2 ? cut : max - 40)} more characters)`;
}

const mrkdwnStyle: SpanStyle = {
  text: esc,
  code,
  strong: (s) => `*${esc(s)}*`,
  // A link shows its address (no label hiding where it goes), and only a plain web address
  // becomes one: anything else (`!channel`, `@U…`) stays text.
  link: (url, text) => (/^https?:\/\/[^\s<>|]+$/.test(url) ? `${esc(text)} <${esc(url)}>` : `${esc(text)} (${esc(url)})`),
  bullet: '• ',
  // a fence inside would end the block early
  pre: (text) => `\`\`\`\n${esc(text).replace(/```/g, 'ˋˋˋ')}\n\`\`\``,
};

/** A finding's rich text as mrkdwn: every piece of text escaped, markup only where the model has it. */
export const mrkdwn = (r: RichText): string => renderRich(r, mrkdwnStyle);
