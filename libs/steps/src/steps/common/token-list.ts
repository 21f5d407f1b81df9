import type { HostReader } from '../../step';
import { ADMIN_CONF } from './kubeadm-state';

/** A bootstrap token as `kubeadm token list` reports it, without its secret half. */
export interface ListedToken {
  id: string;
  /** Expiry, ISO 8601; empty for a token without TTL. */
  expires: string;
  description: string;
}

/**
 * Tokens from `kubeadm token list -o json`, which prints one JSON object per token. Only
 * the id is kept: the secret half never leaves this function.
 */
export async function listTokens(host: HostReader): Promise<ListedToken[]> {
  const result = await host.probe(['kubeadm', 'token', 'list', '--kubeconfig', ADMIN_CONF, '-o', 'json']);
  if (result.exitCode !== 0) {
    throw new Error(`kubeadm token list failed (exit ${result.exitCode}): ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
  }
  const items = parseJsonStream(result.stdout);
  if (items.length === 0 && /^TOKEN\s/.test(result.stdout)) return parseTokenTable(result.stdout);
  return items.map((item) => {
    const token = typeof item['token'] === 'string' ? item['token'] : '';
    return {
      id: token.split('.')[0] ?? '',
      expires: typeof item['expires'] === 'string' ? item['expires'] : '',
      description: typeof item['description'] === 'string' ? item['description'] : '',
    };
  });
}

/**
 * The table `kubeadm token list` prints without -o (TOKEN TTL EXPIRES ...), for kubeadm
 * builds without structured output. Only the id and expiry are kept.
 */
export function parseTokenTable(text: string): ListedToken[] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((columns) => /^[a-z0-9]{6}\./.test(columns[0] ?? ''))
    .map((columns) => ({ id: (columns[0] ?? '').split('.')[0] ?? '', expires: columns[2] === '<never>' ? '' : (columns[2] ?? ''), description: '' }));
}

/** Splits concatenated JSON objects ("{...}\n{...}") into values. */
export function parseJsonStream(text: string): Record<string, unknown>[] {
  const values: Record<string, unknown>[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (char === '}') {
      depth -= 1;
      if (depth === 0 && start >= 0) values.push(JSON.parse(text.slice(start, i + 1)) as Record<string, unknown>);
    }
  }
  return values;
}
