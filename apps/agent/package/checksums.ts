import { basename } from 'node:path';

/** One line per file in `sha256sum` format (two spaces), so `sha256sum -c SHA256SUMS` checks them. */
export function formatSha256Sums(files: readonly { path: string; sha256: string }[]): string {
  return files.map((file) => `${file.sha256}  ${basename(file.path)}\n`).join('');
}

/**
 * An existing SHA256SUMS text with the lines of `files` replaced (or added at the end):
 * several programs' builds share one SHA256SUMS, each owning the lines of its files.
 */
export function mergeSha256Sums(existing: string, files: readonly { path: string; sha256: string }[]): string {
  const names = new Set(files.map((file) => basename(file.path)));
  const kept = existing
    .split('\n')
    .filter((line) => line.trim() !== '' && !names.has(line.replace(/^[0-9a-f]+\s+\*?/, '').trim()))
    .map((line) => `${line}\n`);
  return kept.join('') + formatSha256Sums(files);
}
