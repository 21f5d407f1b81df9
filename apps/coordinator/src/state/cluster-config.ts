import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';

/** The default TLS port agents dial. */
export const DEFAULT_PORT = 7443;

/** cluster.json: the cluster's public settings. It holds no secret. */
export const clusterConfigSchema = z.object({
  apiVersion: z.literal('kumi/v1'),
  kind: z.literal('Cluster'),
  name: z.string().min(1),
  /** Where `kumi serve` listens by default. */
  listen: z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) }),
  /** Addresses agents use to reach the coordinator (the serving certificate's SANs). */
  addresses: z.array(z.string()),
  sans: z.object({ dnsNames: z.array(z.string()), ipAddresses: z.array(z.string()) }),
  /** 'sha256:<hex>' pin of the CA, for agent.yaml and cloud-init. */
  caPin: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  createdAt: z.string(),
});

/** The parsed cluster.json. */
export type ClusterConfig = z.infer<typeof clusterConfigSchema>;

/** Reads and validates cluster.json. */
export async function readClusterConfig(path: string): Promise<ClusterConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}; run \`kumi init\` to create the cluster state`, ExitCode.STATE);
  }
  const parsed = clusterConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(`${path} is not a valid kumi cluster.json (${issue?.path.join('.') || '(root)'}: ${issue?.message}); restore it or re-create the cluster with \`kumi init\``, ExitCode.STATE);
  }
  return parsed.data;
}
