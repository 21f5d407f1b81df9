import { LiveView } from './live-view';
import { JsonView, PlainView } from './plain-view';
import type { ProgressView } from './progress-event';

/** `--json` → NDJSON; a terminal → the live view; anything else → plain lines. */
export function chooseView(options: { json: boolean; out?: NodeJS.WriteStream }): ProgressView {
  const out = options.out ?? process.stdout;
  const write = (line: string) => out.write(`${line}\n`);
  if (options.json) return new JsonView(write);
  if (out.isTTY) return new LiveView(out);
  return new PlainView(write);
}
