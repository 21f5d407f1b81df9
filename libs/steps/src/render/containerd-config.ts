import type { TomlTable, TomlValue } from 'smol-toml';
import { parse, stringify } from 'smol-toml';

/** containerd configuration schema versions: 2 for containerd 1.x, 3 for 2.x. */
export type ContainerdConfigVersion = 2 | 3;

/** The TOML key paths Kubernetes needs, per configuration version. */
export const CONTAINERD_KEY_PATHS = {
  2: {
    systemdCgroup: ['plugins', 'io.containerd.grpc.v1.cri', 'containerd', 'runtimes', 'runc', 'options', 'SystemdCgroup'],
    runtimeType: ['plugins', 'io.containerd.grpc.v1.cri', 'containerd', 'runtimes', 'runc', 'runtime_type'],
    sandboxImage: ['plugins', 'io.containerd.grpc.v1.cri', 'sandbox_image'],
    cniBinDir: ['plugins', 'io.containerd.grpc.v1.cri', 'cni', 'bin_dir'],
  },
  3: {
    systemdCgroup: ['plugins', 'io.containerd.cri.v1.runtime', 'containerd', 'runtimes', 'runc', 'options', 'SystemdCgroup'],
    runtimeType: ['plugins', 'io.containerd.cri.v1.runtime', 'containerd', 'runtimes', 'runc', 'runtime_type'],
    sandboxImage: ['plugins', 'io.containerd.cri.v1.images', 'pinned_images', 'sandbox'],
    cniBinDir: undefined,
  },
} as const;

/** Plugin names that, when listed in disabled_plugins, switch off the CRI Kubernetes talks to. */
const CRI_PLUGIN_NAMES = ['cri', 'io.containerd.grpc.v1.cri', 'io.containerd.cri.v1.runtime', 'io.containerd.cri.v1.images'];

/** The configuration version a containerd release reads natively ("1.6.20~ds1" → 2, "2.1.0" → 3). */
export function configVersionFor(containerdVersion: string): ContainerdConfigVersion {
  const major = Number(/^v?(\d+)\./.exec(containerdVersion)?.[1] ?? '1');
  return major >= 2 ? 3 : 2;
}

/** What the Kubernetes settings must be. */
export interface ContainerdSettings {
  version: ContainerdConfigVersion;
  sandboxImage: string;
}

/**
 * The Kubernetes settings a parsed configuration still lacks, in words (empty when it has
 * them all): schema version, SystemdCgroup, runc v2, sandbox image, CRI enabled.
 */
export function missingSettings(config: TomlTable, settings: ContainerdSettings): string[] {
  const paths = CONTAINERD_KEY_PATHS[settings.version];
  const missing: string[] = [];
  if (config['version'] !== settings.version) missing.push(`version = ${settings.version}`);
  if (readPath(config, paths.systemdCgroup) !== true) missing.push('SystemdCgroup = true');
  if (readPath(config, paths.runtimeType) !== 'io.containerd.runc.v2') missing.push('runc runtime_type io.containerd.runc.v2');
  if (readPath(config, paths.sandboxImage) !== settings.sandboxImage) missing.push(`sandbox image ${settings.sandboxImage}`);
  if (paths.cniBinDir !== undefined && readPath(config, paths.cniBinDir) !== '/opt/cni/bin') missing.push('CNI plugins from /opt/cni/bin');
  if (disabledCri(config).length > 0) missing.push(`CRI enabled (disabled_plugins lists ${disabledCri(config).join(', ')})`);
  return missing;
}

/**
 * Sets the Kubernetes settings structurally on a copy of `config` and returns it:
 * SystemdCgroup = true under runc's options, runc v2, the sandbox image, and the CRI
 * plugins removed from disabled_plugins. Every other setting is kept.
 */
export function withKubernetesSettings(config: TomlTable, settings: ContainerdSettings): TomlTable {
  const out = structuredClone(config);
  const paths = CONTAINERD_KEY_PATHS[settings.version];
  out['version'] = settings.version;
  writePath(out, paths.systemdCgroup, true);
  writePath(out, paths.runtimeType, 'io.containerd.runc.v2');
  writePath(out, paths.sandboxImage, settings.sandboxImage);
  if (paths.cniBinDir !== undefined) writePath(out, paths.cniBinDir, '/opt/cni/bin');
  const disabled = out['disabled_plugins'];
  if (Array.isArray(disabled)) out['disabled_plugins'] = disabled.filter((name) => !CRI_PLUGIN_NAMES.includes(String(name)));
  return out;
}

/**
 * The configuration file to install: `current` when it already has the right schema
 * version (so local settings survive), else `defaults` (containerd's own `config default`),
 * with the Kubernetes settings set structurally.
 */
export function renderContainerdConfig(current: string | undefined, defaults: string, settings: ContainerdSettings): string {
  const parsedCurrent = current === undefined ? undefined : parseOrUndefined(current);
  const base = parsedCurrent !== undefined && parsedCurrent['version'] === settings.version ? parsedCurrent : parse(defaults);
  return `# Written by kumi (step runtime.containerd): systemd cgroups and the Kubernetes sandbox image.\n${stringify(withKubernetesSettings(base, settings))}\n`;
}

/** The value at a key path, or undefined. */
export function readPath(table: TomlTable, path: readonly string[]): TomlValue | undefined {
  let node: TomlValue | undefined = table;
  for (const key of path) {
    if (node === undefined || typeof node !== 'object' || Array.isArray(node) || node instanceof Date) return undefined;
    node = (node as TomlTable)[key];
  }
  return node;
}

/** Parses TOML, or undefined when it is not valid TOML. */
export function parseOrUndefined(text: string): TomlTable | undefined {
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

function writePath(table: TomlTable, path: readonly string[], value: TomlValue): void {
  let node = table;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === undefined || typeof next !== 'object' || Array.isArray(next) || next instanceof Date) node[key] = {};
    node = node[key] as TomlTable;
  }
  node[path[path.length - 1] ?? ''] = value;
}

function disabledCri(config: TomlTable): string[] {
  const disabled = config['disabled_plugins'];
  return Array.isArray(disabled) ? disabled.map(String).filter((name) => CRI_PLUGIN_NAMES.includes(name)) : [];
}
