import { readFileSync } from 'node:fs';

/** What the lab writes to /etc/kumi-lab/host.json in every host: who the host is and where the lab lives. */
export interface HostInfo {
  host: string;
  address: string;
  labDir: string;
  vip: string;
  bridgeAddress: string;
}

/** Identity of the lab host this process runs in; a clear error outside the lab. */
export function readHostInfo(): HostInfo {
  try {
    return JSON.parse(readFileSync('/etc/kumi-lab/host.json', 'utf8')) as HostInfo;
  } catch {
    throw new Error('this command is a kumi lab stand-in and only runs inside a lab host (no /etc/kumi-lab/host.json); use `kumi-lab exec HOST -- ...`');
  }
}
