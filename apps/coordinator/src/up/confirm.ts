import { createInterface } from 'node:readline/promises';

/** Where a confirmation is asked. */
export interface ConfirmIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

/**
 * Asks a yes/no question on the terminal. Resolves true only for "y" or "yes"; resolves
 * 'no-terminal' when input is not a terminal (the caller decides what that means).
 */
export async function confirm(question: string, io: ConfirmIo = { input: process.stdin, output: process.stderr }): Promise<boolean | 'no-terminal'> {
  if (!io.input.isTTY) return 'no-terminal';
  const rl = createInterface({ input: io.input, output: io.output });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
