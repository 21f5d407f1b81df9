import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';

/** The logger type used across the coordinator. */
export type { Logger } from 'pino';

/**
 * Field names whose values are replaced by "[redacted]" wherever they appear (top level
 * and up to two levels down). A second line of defence: code never hands a secret to
 * the logger in the first place.
 */
export const REDACTED_KEYS = [
  'token',
  'secret',
  'secrets',
  'keyPem',
  'caKeyPem',
  'serverKeyPem',
  'privateKey',
  'private_key',
  'password',
  'certificateKey',
  'authorization',
] as const;

/** pino redact paths for REDACTED_KEYS at depth 0, 1 and 2. */
export const REDACT_PATHS = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/**
 * A pino logger writing JSON lines to file (0600, folder created), synchronously, so
 * nothing is lost when the process exits on a signal.
 */
export function createFileLogger(file: string, level = process.env.KUMI_LOG_LEVEL ?? 'info'): Logger {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const destination = pino.destination({ dest: file, sync: true, mode: 0o600, append: true });
  return pino({ level, base: { pid: process.pid }, redact: { paths: [...REDACT_PATHS], censor: '[redacted]' } }, destination);
}
