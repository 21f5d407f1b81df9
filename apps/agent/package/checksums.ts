import { basename } from 'node:path';

/** One line per file in `sha256sum` format (two spaces), so `sha256sum -c SHA256SUMS` checks them. */
export function formatSha256Sums(files: readonly { path: string; sha256: string }[]): string {
  return files.map((file) => `${file.sha256}  ${basename(file.path)}\n`).join('');
}
