import { setTimeout as sleep } from 'node:timers/promises';
import { certCommonName, matchesPin } from '@kumi/trust/verify';
import type { Logger } from 'pino';
import type { AgentConfig } from '../config/agent-config';
import { splitHostPort } from '../config/host-port';
import { Backoff } from '../session/backoff';
import { loadCredentials, saveCredentials, type AgentCredentials } from '../state/credentials-store';
import type { KeyAndCsr } from './enroll';
import { EnrollRefusedError } from './enroll-refused-error';
import { ENROLL_BACKOFF } from './enroll-status';
import { CoordinatorNameError, PinMismatchError } from './pinned-ca';

/** A problem the agent cannot get past by retrying; it exits with this message. */
export class FatalAgentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FatalAgentError';
  }
}

/** The stored identity, or a fresh one from enrollment (retried while the coordinator is unreachable). */
export async function obtainIdentity(config: AgentConfig, hostName: string, logger: Logger, signal: AbortSignal): Promise<AgentCredentials | undefined> {
  const stored = await loadCredentials(config.stateDir);
  if (stored) {
    if (!matchesPin(stored.caPem, config.caPin)) {
      throw new FatalAgentError(
        `the CA stored in ${config.stateDir} does not match the configured CA pin: the agent belongs to another cluster. ` +
          `Fix --ca-pin, or remove ${config.stateDir} to enroll again with a new token`,
      );
    }
    const enrolledAs = certCommonName(stored.certPem);
    if (enrolledAs !== hostName) {
      throw new FatalAgentError(
        `this agent enrolled as "${enrolledAs}" but its host name is now "${hostName}": set --host-name ${enrolledAs}, or remove ${config.stateDir} to enroll again`,
      );
    }
    logger.info({ stateDir: config.stateDir, hostName }, 'using the stored certificate');
    return stored;
  }
  if (config.token === undefined) {
    throw new FatalAgentError(
      `no certificate in ${config.stateDir} and no bootstrap token: put the token from \`kumi token create\` in the config file (token:) or pass --token-file FILE (or - for stdin)`,
    );
  }
  const { host, port } = splitHostPort(config.coordinator);
  const backoff = new Backoff(ENROLL_BACKOFF);
  // Loaded only here: an agent that restarts with its stored certificate never enrolls.
  // The heavy half (key and CSR: @peculiar/x509 and its ASN.1 stack, ~2.5 MiB of heap)
  // is the `csr` part, dropped again once the key and CSR are made.
  const { enroll, makeKeyAndCsr } = await import('./enroll');
  let keyAndCsr: KeyAndCsr | undefined;
  while (!signal.aborted) {
    try {
      logger.info({ coordinator: config.coordinator, hostName }, 'enrolling');
      // One key for every attempt: a retry after a lost answer is recognised by it.
      keyAndCsr ??= await makeKeyAndCsr(hostName);
      const credentials = await enroll({ address: config.coordinator, host, port, pin: config.caPin, token: config.token, hostName }, keyAndCsr);
      await saveCredentials(config.stateDir, credentials);
      logger.info({ stateDir: config.stateDir }, 'enrolled; certificate stored');
      return credentials;
    } catch (error) {
      if (error instanceof PinMismatchError || error instanceof CoordinatorNameError || error instanceof EnrollRefusedError) throw new FatalAgentError(error.message);
      const attempt = backoff.attempt;
      const delay = backoff.next();
      logger.warn({ reason: (error as Error).message, attempt, delayMs: delay }, 'enrollment failed; retrying');
      await sleep(delay, undefined, { signal }).catch(() => undefined);
    }
  }
  return undefined;
}
