// The step's version 3 rendering against containerd's own documentation, with no binary needed:
// checked the way the step itself checks a config (parse, then missingSettings) against
// containerd v2.1.4's documented full CRI configuration (docs/cri/config.md, "In containerd
// 2.x"): every key kumi writes sits in a table containerd 2.x defines, and no upstream setting is
// lost. The real 2.x binary reads what the step writes in containerd-2-real.test.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, type TomlTable } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { CONTAINERD_KEY_PATHS, configVersionFor, missingSettings, readPath, renderContainerdConfig } from '../../../../libs/steps/src/render/containerd-config';

const UPSTREAM = readFileSync(path.join(import.meta.dirname, 'fixtures', 'containerd-2.1.4-cri-config.toml'), 'utf8');
const SETTINGS = { version: 3 as const, sandboxImage: 'registry.k8s.io/pause:3.10' };

/** Every leaf key path of a TOML table, e.g. "plugins.io.containerd.cri.v1.images.pinned_images.sandbox". */
function leafPaths(table: TomlTable, prefix: string[] = []): string[] {
  return Object.entries(table).flatMap(([key, value]) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) ? leafPaths(value as TomlTable, [...prefix, key]) : [[...prefix, key].join('.')],
  );
}

describe('containerd 2.x (config version 3) as runtime.containerd renders it', () => {
  it('a containerd 2.x version selects config version 3', () => {
    expect(configVersionFor('2.1.4')).toBe(3);
    expect(configVersionFor('1.6.20~ds1')).toBe(2);
  });

  it("writes kumi's settings into tables containerd v2.1.4 defines, keeping every upstream setting", () => {
    const upstream = parse(UPSTREAM);
    const rendered = parse(renderContainerdConfig(undefined, UPSTREAM, SETTINGS));
    expect(missingSettings(rendered, SETTINGS)).toEqual([]);
    expect(missingSettings(upstream, SETTINGS)).toEqual(['SystemdCgroup = true']);
    const paths = CONTAINERD_KEY_PATHS[3];
    for (const keyPath of [paths.systemdCgroup, paths.runtimeType, paths.sandboxImage]) {
      // The table the key goes into exists upstream (a wrong plugin id would make a new table containerd ignores).
      expect(readPath(upstream, keyPath.slice(0, -1)), keyPath.join('.')).toBeTypeOf('object');
    }
    const lost = leafPaths(upstream).filter((key) => !leafPaths(rendered).includes(key));
    expect(lost).toEqual([]);
    expect(readPath(rendered, paths.systemdCgroup)).toBe(true);
  });
});
