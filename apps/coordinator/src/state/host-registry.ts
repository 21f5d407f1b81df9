import type { StateStore } from './state-store';
import type { EnrolledHost } from './state-records';

export { type EnrolledHost, enrolledHostSchema } from './state-records';

/** Which hosts enrolled and with which certificate, read from the state store of this process. */
export class HostRegistry {
  constructor(private readonly store: () => Promise<StateStore>) {}

  /** Every enrolled host. */
  async list(): Promise<EnrolledHost[]> {
    return (await this.store()).listHosts();
  }

  /** The host's record, if it enrolled. */
  async find(hostName: string): Promise<EnrolledHost | undefined> {
    const host = (await this.store()).host(hostName);
    return host ? { ...host } : undefined;
  }

  /** Records (or replaces) a host's certificate without a token (tests, tools). */
  async record(host: EnrolledHost): Promise<void> {
    await (await this.store()).recordHost(host);
  }
}
