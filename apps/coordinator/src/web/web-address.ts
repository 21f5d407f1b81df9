import { isIP } from 'node:net';
import { usageError } from '../cli/cli-error';
import { type ListenAddress, parseListenAddress } from '../server/listen-address';

/** The flag that allows the live page on an address other hosts can reach. */
export const EXPOSED_FLAG = '--web-exposed';

/** Whether host is a loopback address (127.0.0.0/8, ::1) or "localhost". */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * The address of `--web HOST:PORT`. A build's picture names hosts, steps and errors, so
 * it stays on loopback unless `--web-exposed` says the user means to publish it.
 */
export function parseWebAddress(text: string, exposed: boolean): ListenAddress {
  const address = parseListenAddress(text);
  if (!exposed && !isLoopback(address.host)) {
    throw usageError(`--web ${text}: the live page is served on loopback only (e.g. --web 127.0.0.1:8080); add ${EXPOSED_FLAG} to serve it on ${address.host} where other hosts can read it`);
  }
  return address;
}

/** Raw `--web` / `--web-exposed` options as commander parses them. */
export interface RawWebOptions {
  web?: string;
  webExposed?: boolean;
}

/** The live page's address from the parsed command line, when asked for. */
export function webOption(raw: RawWebOptions): { web?: ListenAddress } {
  if (raw.webExposed && !raw.web) throw usageError(`${EXPOSED_FLAG} needs --web HOST:PORT`);
  return raw.web ? { web: parseWebAddress(raw.web, raw.webExposed === true) } : {};
}

/** Adds `--web HOST:PORT` and `--web-exposed` to a command. */
export function addWebOptions<T extends { option(flags: string, description: string): T }>(command: T): T {
  return command
    .option('--web <host:port>', 'serve a live picture of the build (read-only web page, server-sent events) on this loopback address, e.g. 127.0.0.1:8080')
    .option(EXPOSED_FLAG, 'allow --web on an address other hosts can reach: they can read host names, steps and errors');
}
