import * as z from 'zod';

/** One bootstrap token as stored: the secret only as a hash. */
export const tokenRecordSchema = z.object({
  id: z.string().regex(/^[a-z0-9]{6}$/),
  /** hashTokenSecret(secret), hex. The secret itself is never stored. */
  secretHash: z.string().regex(/^[0-9a-f]+$/),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** Only this host may enroll with the token; null: any host. */
  host: z.string().nullable(),
  usedAt: z.string().nullable(),
  usedBy: z.string().nullable(),
});

/** A stored bootstrap token (no secret). */
export type TokenRecord = z.infer<typeof tokenRecordSchema>;

/** One enrolled host: the certificate it was last issued. */
export const enrolledHostSchema = z.object({
  hostName: z.string(),
  enrolledAt: z.string(),
  /** sha256 of the issued certificate's DER, hex. Older certificates of the host are no longer accepted. */
  certSha256: z.string().regex(/^[0-9a-f]{64}$/),
  tokenId: z.string(),
  /**
   * The issued certificate (public), so a retried Enroll whose answer was lost gets it
   * again. Absent in records converted from the old hosts.json.
   */
  certPem: z.string().optional(),
  /** The certificate's validity (ISO), so Attach checks it without parsing the certificate. */
  notBefore: z.string().optional(),
  notAfter: z.string().optional(),
});

/** An enrolled host as stored. */
export type EnrolledHost = z.infer<typeof enrolledHostSchema>;

/**
 * One line of the state log. A snapshot replaces everything before it (it is the first
 * line after a compaction); the others are the changes, each applied in order.
 */
export const stateRecordSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('snapshot'), tokens: z.array(tokenRecordSchema), hosts: z.array(enrolledHostSchema) }),
  z.object({ op: z.literal('token-created'), token: tokenRecordSchema }),
  z.object({ op: z.literal('token-deleted'), id: z.string() }),
  /** A token burnt and the certificate it bought, as one record: both happen or neither. */
  z.object({ op: z.literal('enrolled'), tokenId: z.string(), host: enrolledHostSchema }),
  z.object({ op: z.literal('host-recorded'), host: enrolledHostSchema }),
]);

/** A parsed state log line. */
export type StateRecord = z.infer<typeof stateRecordSchema>;

/** The old (before the log) tokens.json and hosts.json, read once to convert them. */
export const legacyTokenFileSchema = z.object({ version: z.literal(1), tokens: z.array(tokenRecordSchema) });
export const legacyHostsFileSchema = z.object({ version: z.literal(1), hosts: z.array(enrolledHostSchema) });
