import { usageError } from '../cli/cli-error';

/** A TCP listen address. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses "HOST:PORT" (IPv6 as "[::1]:7443"); port 0 picks a free port. */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw usageError(`invalid listen address "${text}": use HOST:PORT, e.g. 0.0.0.0:7443 or [::]:7443`);
  }
  return { host: (match[1] ?? match[2]) as string, port };
}

/** The address in the form grpc-js binds to. */
export function formatListenAddress(address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
