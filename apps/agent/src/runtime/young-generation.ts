import v8 from 'node:v8';

/**
 * V8 flag that stops the young generation from growing past its initial size (two
 * semi-spaces of 1 MiB on 64-bit). V8 reads it each time it considers growing the new space,
 * so setting it at run time works; `--max-semi-space-size`, by contrast, is read once when
 * the heap is set up and would need NODE_OPTIONS or a SEA `execArgv` (Node 20 has none).
 */
export const YOUNG_GENERATION_FLAG = '--semi-space-growth-factor=1';

/**
 * Keeps V8's young generation at its initial 2 MiB. Loading the bundle allocates fast,
 * which makes V8 grow the new space to 16 MiB; it then stays committed, half-touched and
 * nearly empty while the agent idles (~6 MiB of RSS). The agent allocates little once it
 * is attached, so more frequent scavenges cost it nothing noticeable. Call it before the
 * bulk of the code is loaded: the growth happens during start-up.
 */
export function keepYoungGenerationSmall(): void {
  v8.setFlagsFromString(YOUNG_GENERATION_FLAG);
}
