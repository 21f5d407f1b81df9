/** What an output stream can do, as far as kumi's output cares. */
export interface TerminalTraits {
  /** Cursor movement and redrawing in place (a live view). */
  interactive: boolean;
  /** ANSI colours. */
  color: boolean;
}

/** Whether the user asked for no colour: NO_COLOR set to anything non-empty (https://no-color.org). */
export function noColorWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.NO_COLOR ?? '') !== '';
}

/**
 * Decides how to write to `stream`: only a terminal (isTTY, TERM not "dumb") gets a live
 * view, and it gets colours unless NO_COLOR is set to anything non-empty
 * (https://no-color.org). A pipe or a file gets plain lines without escape codes.
 */
export function terminalTraits(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): TerminalTraits {
  const interactive = stream.isTTY === true && env.TERM !== 'dumb';
  return { interactive, color: interactive && !noColorWanted(env) };
}

const CODES = { red: 31, green: 32, yellow: 33, bold: 1, dim: 2 } as const;

/** A colour (or style) function: wraps text in its escape codes, or returns it as it is. */
export type Paint = (text: string) => string;

/** Colour functions for `stream`; each returns its text unchanged where colour is off. */
export function palette(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): Record<keyof typeof CODES, Paint> {
  const on = terminalTraits(stream, env).color;
  const paint = (code: number): Paint => (on ? (text) => `\x1b[${code}m${text}\x1b[0m` : (text) => text);
  return { red: paint(CODES.red), green: paint(CODES.green), yellow: paint(CODES.yellow), bold: paint(CODES.bold), dim: paint(CODES.dim) };
}
