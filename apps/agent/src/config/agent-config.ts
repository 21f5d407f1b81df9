import { isValidHostName } from '@kumi/trust/host-name';
import * as z from 'zod';

export { ConfigError } from './config-error';

const HOST_PORT = /^(?<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(?<port>\d{1,5})$/;
const PIN = /^sha256:[0-9a-f]{64}$/;
const TOKEN = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;

/** The agent's settings after file and flags are merged. */
export const agentConfigSchema = z.object({
  coordinator: z
    .string({ error: missingOr('set "coordinator: HOST:PORT" in the config file or pass --coordinator HOST:PORT') })
    .refine((value) => HOST_PORT.test(value) && isPort(value.slice(value.lastIndexOf(':') + 1)), {
      error: 'must be HOST:PORT with a port 1-65535, e.g. "192.0.2.10:7443"',
    }),
  caPin: z
    .string({ error: missingOr('set "caPin: sha256:<hex>" (printed by `kumi init`) or pass --ca-pin') })
    .transform((value) => value.trim().toLowerCase())
    .pipe(z.string().regex(PIN, { error: 'must be "sha256:" followed by 64 hex digits, as printed by `kumi init`' })),
  /** Bootstrap token; only needed until the agent holds a certificate. */
  token: z
    .string()
    .transform((value) => value.trim())
    .pipe(z.string().regex(TOKEN, { error: 'must look like "abcdef.0123456789abcdef" (6 + 16 of a-z, 0-9), as printed by `kumi token create`' }))
    .optional(),
  hostName: z
    .string()
    .refine(isValidHostName, { error: 'must be a lowercase DNS name (a-z, 0-9, "-" and ".", at most 253 characters), e.g. "cp1"' })
    .optional(),
  stateDir: z
    .string()
    .refine((value) => value.startsWith('/'), { error: 'must be an absolute path, e.g. /var/lib/kumi' })
    .default('/var/lib/kumi'),
  root: z
    .string()
    .refine((value) => value.startsWith('/'), { error: 'must be an absolute path ("/" on a real host)' })
    .default('/'),
});

/** Validated agent settings. */
export type AgentConfig = z.output<typeof agentConfigSchema>;

/** What may appear in /etc/kumi/agent.yaml (no other keys). */
export const agentConfigFileSchema = z.strictObject({
  coordinator: z.string().optional(),
  caPin: z.string().optional(),
  token: z.string().optional(),
  hostName: z.string().optional(),
  stateDir: z.string().optional(),
});

/** Turns zod issues into one line per problem, each naming its field; never echoes values. */
export function describeIssues(source: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    if (issue.code === 'unrecognized_keys') {
      return `  ${field}: unknown key(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}: allowed are coordinator, caPin, token, hostName, stateDir`;
    }
    return `  ${field}: ${issue.message}`;
  });
  return `invalid agent configuration (${source}):\n${lines.join('\n')}`;
}

/** "is missing: FIX" for an absent value, "must be text" for a value of another type. */
function missingOr(fix: string): (issue: { input: unknown }) => string {
  return (issue) => (issue.input === undefined ? `is missing: ${fix}` : `must be text: ${fix}`);
}

function isPort(text: string): boolean {
  const port = Number(text);
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}
