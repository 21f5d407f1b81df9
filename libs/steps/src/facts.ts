/**
 * What the agent knows about its host before any step runs. Mirrors kumi.v1.Facts but is
 * a plain type: steps never depend on the wire.
 */
export interface HostFacts {
  hostName: string;
  os: {
    /** os-release ID, e.g. "debian", "ubuntu", "rocky". */
    id: string;
    /** os-release VERSION_ID, e.g. "12". */
    version: string;
    family: OsFamily;
    prettyName: string;
    codename: string;
  };
  kernel: string;
  arch: string;
  cpus: number;
  memoryBytes: number;
  interfaces: NetInterface[];
  swap: { totalBytes: number; usedBytes: number; devices: string[] };
  initSystem: 'systemd' | 'openrc' | 'sysvinit' | 'unknown';
  packageManager: 'apt' | 'dnf' | 'yum' | 'unknown';
  firewall: 'firewalld' | 'nftables' | 'iptables' | 'none';
  cgroupVersion: number;
  productUuid: string;
  defaultIpv4: string;
}

export type OsFamily = 'debian' | 'rhel' | 'unknown';

export interface NetInterface {
  name: string;
  mac: string;
  /** CIDR form, e.g. "192.0.2.11/24". */
  addresses: string[];
  up: boolean;
  virtual: boolean;
}
