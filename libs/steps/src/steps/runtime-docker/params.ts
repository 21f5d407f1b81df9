import * as z from 'zod';
import { kubernetesVersionSchema } from '../common/params';

/** A downloaded package pinned by its sha256. */
export const pinnedDownloadSchema = z
  .object({
    url: z.string().url('must be an https URL').startsWith('https://', 'must be an https URL'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  })
  .strict();

/** Parameters of `runtime.docker`: Docker Engine plus cri-dockerd. */
export const runtimeDockerParams = z
  .object({
    kubernetesVersion: kubernetesVersionSchema,
    /** cri-dockerd release (without "v") and its package for this host's OS and arch. */
    criDockerd: z
      .object({
        version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a release like "0.3.16"'),
        package: pinnedDownloadSchema,
      })
      .strict(),
  })
  .strict();
export type RuntimeDockerParams = z.infer<typeof runtimeDockerParams>;
