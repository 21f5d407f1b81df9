import * as z from 'zod';
import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import { readJsonIfExists, writePrivateFile } from './secure-files';

/** One enrolled host: the certificate it was last issued. */
export const enrolledHostSchema = z.object({
  hostName: z.string(),
  enrolledAt: z.string(),
  /** sha256 of the issued certificate's DER, hex. Older certificates of the host are no longer accepted. */
  certSha256: z.string().regex(/^[0-9a-f]{64}$/),
  tokenId: z.string(),
});

/** An enrolled host as stored in hosts.json. */
export type EnrolledHost = z.infer<typeof enrolledHostSchema>;

const hostsFileSchema = z.object({ version: z.literal(1), hosts: z.array(enrolledHostSchema) });

/**
 * hosts.json (0600): which hosts enrolled and with which certificate. Written only by
 * enrollment, under the same lock as the token store.
 */
export class HostRegistry {
  constructor(private readonly path: string) {}

  /** Every enrolled host. */
  async list(): Promise<EnrolledHost[]> {
    const raw = await readJsonIfExists(this.path);
    if (raw === undefined) return [];
    const parsed = hostsFileSchema.safeParse(raw);
    if (!parsed.success) {
      throw new CliError(
        `${this.path} is not a valid host registry (${parsed.error.issues[0]?.message}): restore it from a backup, or move it aside and enroll the agents again`,
        ExitCode.STATE,
      );
    }
    return parsed.data.hosts;
  }

  /** The host's record, if it enrolled. */
  async find(hostName: string): Promise<EnrolledHost | undefined> {
    return (await this.list()).find((h) => h.hostName === hostName);
  }

  /** Records (or replaces) a host's enrollment. Call with the state lock held. */
  async record(host: EnrolledHost): Promise<void> {
    const hosts = (await this.list()).filter((h) => h.hostName !== host.hostName);
    hosts.push(host);
    await writePrivateFile(this.path, `${JSON.stringify({ version: 1, hosts }, null, 2)}\n`);
  }
}
