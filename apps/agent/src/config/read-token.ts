import { readFile } from 'node:fs/promises';

/**
 * Reads a bootstrap token from a file, or from standard input when `source` is "-".
 * The token never comes from argv: every local user can read /proc/PID/cmdline.
 */
export async function readTokenSource(source: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const text = source === '-' ? await readAll(stdin) : await readTokenFile(source);
  const token = text.trim();
  if (token.length === 0) throw new Error(`no bootstrap token in ${source === '-' ? 'standard input' : source}: write the token printed by \`kumi token create\` there`);
  return token;
}

async function readTokenFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the token file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; check --token-file`);
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
