import type { Facts } from '@kumi/proto';
import type { HostFacts } from '@kumi/steps';

/** kumi.v1.Facts for a host's facts (same shape; copied so the wire never aliases state). */
export function toProtoFacts(facts: HostFacts): Facts {
  return {
    hostName: facts.hostName,
    os: { ...facts.os },
    kernel: facts.kernel,
    arch: facts.arch,
    cpus: facts.cpus,
    memoryBytes: facts.memoryBytes,
    interfaces: facts.interfaces.map((item) => ({ ...item, addresses: [...item.addresses] })),
    swap: { ...facts.swap, devices: [...facts.swap.devices] },
    initSystem: facts.initSystem,
    packageManager: facts.packageManager,
    firewall: facts.firewall,
    cgroupVersion: facts.cgroupVersion,
    productUuid: facts.productUuid,
    defaultIpv4: facts.defaultIpv4,
  };
}
