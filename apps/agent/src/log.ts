import { pino, type Logger } from 'pino';

/**
 * Field paths whose values are censored in every log line, whatever the caller passes:
 * bootstrap tokens, step secrets and key material.
 */
export const REDACTED_LOG_PATHS = [
  'token',
  '*.token',
  'secrets',
  '*.secrets',
  'key',
  '*.key',
  'keyPem',
  '*.keyPem',
  'privateKey',
  '*.privateKey',
  'csrPem',
  '*.csrPem',
];

/** The agent's logger: JSON lines on stdout (journald captures them). */
export function createLogger(destination: NodeJS.WritableStream = process.stdout, level = 'info'): Logger {
  return pino(
    {
      name: 'kumi-agent',
      level,
      redact: { paths: REDACTED_LOG_PATHS, censor: '***' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/**
 * Sends Node process warnings to the JSON log instead of bare stderr text. DEP0123 is
 * dropped: grpc-js sets the TLS server name to the coordinator's IP when it is addressed
 * by IP, which is harmless here (certificates are checked against IP SANs).
 */
export function routeProcessWarnings(logger: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    if (warning.code === 'DEP0123') return;
    logger.warn({ warning: warning.name, code: warning.code }, warning.message);
  });
}
