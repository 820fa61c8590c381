// What a terminal gets beyond plain text: colours, and a progress line on stderr while checks
// run. Both only on a TTY, so pipes, files and tests see plain text and a silent stderr;
// colours never when NO_COLOR is set to anything (https://no-color.org) or TERM is dumb.
// No dependency: four SGR codes and one line rewritten in place.
import type { CheckProgress } from '../engine/investigation.js';

export interface Tty {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export function colorEnabled(stream: Pick<Tty, 'isTTY'>, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

export type Colour = 'red' | 'yellow' | 'blue' | 'green' | 'dim' | 'bold';
const SGR: Record<Colour, [number, number]> = { red: [31, 39], yellow: [33, 39], blue: [34, 39], green: [32, 39], dim: [2, 22], bold: [1, 22] };

/** `paint('red', text)`, or the text itself when colour is off. */
export type Paint = (colour: Colour, text: string) => string;
export const painter = (on: boolean): Paint => (on ? (c, t) => `\x1b[${SGR[c][0]}m${t}\x1b[${SGR[c][1]}m` : (_c, t) => t);

const CLEAR_LINE = '\r\x1b[2K';

/** One line that says how far the checks are, for a terminal's stderr. */
export function progressLine(label: string, checks: readonly CheckProgress[]): string {
  const done = checks.filter((c) => c.state === 'ok' || c.state === 'failed' || c.state === 'skipped').length;
  const failed = checks.filter((c) => c.state === 'failed').length;
  const running = checks.filter((c) => c.state === 'running').map((c) => c.title);
  return `${label}: ${done}/${checks.length} checks done${failed ? `, ${failed} could not run` : ''}${running.length ? ` · ${running.join(', ')}…` : ''}`;
}

/**
 * The progress line on a TTY: rewritten in place as checks move, erased before the answer is
 * printed. On anything else every method does nothing.
 */
export class TerminalProgress {
  private shown = false;
  private readonly on: boolean;

  constructor(
    private readonly stream: Tty,
    private readonly label: string,
    private readonly paint: Paint,
  ) {
    this.on = stream.isTTY === true;
  }

  note(text: string): void {
    this.show(`${this.label}: ${text}`);
  }

  update(checks: readonly CheckProgress[]): void {
    this.show(progressLine(this.label, checks));
  }

  clear(): void {
    if (!this.on || !this.shown) return;
    this.stream.write(CLEAR_LINE);
    this.shown = false;
  }

  private show(text: string): void {
    if (!this.on) return;
    const width = Math.max(20, (this.stream.columns || 80) - 1); // 0 on a pty of unknown size
    const line = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    this.stream.write(`${CLEAR_LINE}${this.paint('dim', line)}`);
    this.shown = true;
  }
}
