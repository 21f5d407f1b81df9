import type { InstalledPackage } from './package-db';

/** What `rpm -q` prints and returns. */
export interface RpmQueryResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** rpm's default -q format: `%{nvr}%{archsuffix}` and a newline (rpm macros.in `_query_all_fmt`, lib/query.cc, rpm 4.16). */
const DEFAULT_FORMAT = '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\\n';

/** The lab's machine is x86_64; every recorded package is that arch. */
const ARCH = 'x86_64';

/** VERSION and RELEASE of a recorded version ("1.34.2-150500.1.1" → 1.34.2, 150500.1.1). */
function splitVersion(version: string): { version: string; release: string } {
  const dash = version.lastIndexOf('-');
  return dash < 0 ? { version, release: '' } : { version: version.slice(0, dash), release: version.slice(dash + 1) };
}

/**
 * Expands a query format for one package: %{TAG} (tag names case-insensitive, optional width
 * as %-20{NAME}) and the backslash escapes \n \t \\ (rpm lib/headerfmt.cc). An unknown tag is
 * an error, as rpm's "unknown tag" is.
 */
export function expandQueryFormat(format: string, name: string, recorded: string): string {
  const { version, release } = splitVersion(recorded);
  const tags: Record<string, string> = {
    NAME: name,
    VERSION: version,
    RELEASE: release,
    ARCH: ARCH,
    EPOCH: '(none)',
    NVR: `${name}-${version}-${release}`,
    NVRA: `${name}-${version}-${release}.${ARCH}`,
    NEVRA: `${name}-${version}-${release}.${ARCH}`,
  };
  return format
    .replace(/%(-?\d+)?\{([A-Za-z]+)\}/g, (_, width: string | undefined, tag: string) => {
      const value = tags[tag.toUpperCase()];
      if (value === undefined) throw new Error(`unknown tag: "${tag}"`);
      const n = width === undefined ? 0 : Number(width);
      return n < 0 ? value.padEnd(-n) : value.padStart(n);
    })
    .replace(/\\([nt\\])/g, (_, c: string) => ({ n: '\n', t: '\t', '\\': '\\' })[c] as string);
}

/**
 * `rpm -q NAME...`: each installed package in the format; for each missing one "package NAME is
 * not installed" on stdout (rpmlog RPMLOG_NOTICE goes to stdout: rpm lib/query.cc
 * initQueryIterator, rpmio/rpmlog.cc), and the exit code is the number of missing packages,
 * capped at 254 (rpm lib/query.cc rpmcliArgIter, tools/cliutils.hh RETVAL; rpm 4.16 to 6.0).
 */
export function rpmQuery(installed: Readonly<Record<string, InstalledPackage>>, names: readonly string[], format = DEFAULT_FORMAT): RpmQueryResult {
  if (names.length === 0) return { stdout: '', stderr: 'rpm: no arguments given for query\n', exitCode: 1 };
  let stdout = '';
  let missing = 0;
  for (const name of names) {
    const pkg = installed[name];
    if (pkg === undefined) {
      stdout += `package ${name} is not installed\n`;
      missing += 1;
      continue;
    }
    try {
      stdout += expandQueryFormat(format, name, pkg.version);
    } catch (error) {
      return { stdout, stderr: `error: incorrect format: ${(error as Error).message}\n`, exitCode: 1 };
    }
  }
  return { stdout, stderr: '', exitCode: Math.min(missing, 254) };
}
