import { readFile } from 'node:fs/promises';
import { usageError } from './cli-error';

/**
 * Builds a step's params object from --params-json (applied first) and --param k=v
 * (applied after, so they win). A --param value is read as JSON when it parses as JSON
 * (numbers, booleans, arrays, objects, quoted strings), else taken as a plain string.
 */
export function buildParams(paramsJson: string | undefined, pairs: string[]): Record<string, unknown> {
  let params: Record<string, unknown> = {};
  if (paramsJson !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(paramsJson);
    } catch (error) {
      throw usageError(`--params-json is not valid JSON (${(error as Error).message}): pass an object, e.g. '{"swap":"off"}'`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw usageError('--params-json must be a JSON object, e.g. \'{"key":"value"}\'');
    }
    params = parsed as Record<string, unknown>;
  }
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw usageError(`invalid --param "${pair}": use KEY=VALUE, e.g. --param podCidr=10.244.0.0/16`);
    const key = pair.slice(0, at);
    const raw = pair.slice(at + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: a plain string.
    }
    params[key] = value;
  }
  return params;
}

/**
 * Reads secret parameters from files given as NAME=PATH (never from argv or env, where
 * other local users could read them). A trailing newline is removed.
 */
export async function readSecretFiles(pairs: string[]): Promise<Record<string, string>> {
  const secrets: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw usageError(`invalid --secret-file "${pair}": use NAME=PATH, e.g. --secret-file certificateKey=/run/kumi/cert-key`);
    const name = pair.slice(0, at);
    const path = pair.slice(at + 1);
    try {
      secrets[name] = (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      throw usageError(`cannot read secret "${name}" from ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}): check the path`);
    }
  }
  return secrets;
}
