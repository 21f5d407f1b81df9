import YAML from 'yaml';
import { criStatus, criVersion } from './cri-client';
import type { StatusResponse } from './cri-api';

/** Where crictl writes. */
export interface CrictlIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/**
 * JSON as Go's encoding/json writes a map[string]any after json.Indent: keys sorted at
 * every level, two-space indent, and <, >, &, U+2028, U+2029 escaped (Go's HTML-safe
 * default).
 */
export function goJson(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, sorted(x)]));
    return v;
  };
  return JSON.stringify(sorted(value), null, 2).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go's json.Marshal of a struct whose fields all carry `omitempty`: false, "", null dropped. */
function omitEmpty(value: Record<string, unknown> | null): Record<string, unknown> | undefined {
  if (value === null) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === false || v === '' || v === null || v === undefined) continue;
    out[key] = v !== null && typeof v === 'object' && !Array.isArray(v) ? (omitEmpty(v as Record<string, unknown>) ?? {}) : v;
  }
  return out;
}

/**
 * The object `crictl info` prints (kubernetes-sigs/cri-tools cmd/crictl/info.go Info and
 * util.go outputStatusData, v1.36): "status" as protojson with default values, then
 * "runtimeHandlers" and "features" when the runtime sends them, then every info entry,
 * parsed when it starts with "{", else the string without surrounding quotes.
 */
export function crictlInfoObject(response: StatusResponse): Record<string, unknown> {
  const out: Record<string, unknown> = {
    status: { conditions: (response.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message })) },
  };
  if (response.runtime_handlers.length > 0) out['runtimeHandlers'] = response.runtime_handlers.map((handler) => omitEmpty(handler as unknown as Record<string, unknown>));
  const features = omitEmpty(response.features as Record<string, unknown> | null);
  if (features !== undefined) out['features'] = features;
  for (const key of Object.keys(response.info).sort()) {
    const value = response.info[key] ?? '';
    out[key] = value.startsWith('{') ? (JSON.parse(value) as unknown) : value.replace(/^"+|"+$/g, '');
  }
  return out;
}

/**
 * logrus's text line for an error when stderr is not a terminal (the agent's case):
 * crictl's main logs the error with logrus.Error and exits 1 (cmd/crictl/main.go).
 */
function logrusError(message: string): string {
  return `time="${new Date().toISOString()}" level=error msg=${JSON.stringify(message)}\n`;
}

/**
 * `crictl info` / `crictl version` against a runtime socket: validate with Version first
 * (cri-client remote_runtime.go validateServiceConnection), then the call, as crictl does.
 */
export async function runtimeCommand(command: 'info' | 'version', endpoint: string, socketPath: string, options: { output: string; quiet: boolean }, io: CrictlIo): Promise<number> {
  let version;
  try {
    version = await criVersion(socketPath);
  } catch (error) {
    io.err(logrusError(`validate service connection: validate CRI v1 runtime API for endpoint "${endpoint}": ${(error as Error).message}`));
    return 1;
  }
  if (command === 'version') {
    // cmd/crictl/version.go: fmt.Println("Version: ", ...) puts two spaces after each colon.
    io.out(`Version:  ${version.version}\nRuntimeName:  ${version.runtime_name}\nRuntimeVersion:  ${version.runtime_version}\nRuntimeApiVersion:  ${version.runtime_api_version}\n`);
    return 0;
  }
  let status;
  try {
    status = await criStatus(socketPath, !options.quiet);
  } catch (error) {
    io.err(logrusError(`getting status of runtime: ${(error as Error).message}`));
    return 1;
  }
  const info = crictlInfoObject(status);
  if (options.output === 'json') io.out(`${goJson(info)}\n`);
  else if (options.output === 'yaml') io.out(`${YAML.stringify(JSON.parse(goJson(info)), { sortMapEntries: true })}\n`);
  else {
    io.err(logrusError(`getting status of runtime: unsupported format: "${options.output}"`));
    return 1;
  }
  return 0;
}
