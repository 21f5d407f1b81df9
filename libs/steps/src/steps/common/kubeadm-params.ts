import * as z from 'zod';

/** A Go duration kubeadm accepts for token TTLs, e.g. "2h", "30m", "1h30m". */
export const durationSchema = z
  .string()
  .regex(/^(\d+h)?(\d+m)?(\d+s)?$/, 'must be a duration like "2h", "30m" or "1h30m"')
  .refine((value) => value.length > 0, 'must be a duration like "2h", "30m" or "1h30m"');

/** A kubeadm discovery hash: "sha256:" and 64 hex digits. */
export const caCertHashSchema = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" followed by 64 lowercase hex digits (kubeadm discovery hash)');

/** A bootstrap token id, the public half of "id.secret". */
export const tokenIdSchema = z.string().regex(/^[a-z0-9]{6}$/, 'must be a bootstrap token id: 6 characters [a-z0-9]');

/** Secret names kubeadm steps read from their SecretBag. */
export const BOOTSTRAP_TOKEN = 'bootstrapToken';
export const CERTIFICATE_KEY = 'certificateKey';
