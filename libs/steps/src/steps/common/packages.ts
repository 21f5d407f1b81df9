import type { HostFacts } from '../../facts';
import type { RunAction } from '../../plan';
import { StepFailure } from '../../run-types';
import type { HostReader } from '../../step';

/** The package managers the steps drive. */
export type PackageFamily = 'apt' | 'dnf';

/** apt on Debian/Ubuntu, dnf on the RHEL family; UNSUPPORTED_HOST otherwise. */
export function packageFamilyOf(facts: HostFacts): PackageFamily {
  if (facts.os.family === 'debian' && facts.packageManager === 'apt') return 'apt';
  if (facts.os.family === 'rhel' && (facts.packageManager === 'dnf' || facts.packageManager === 'yum')) return 'dnf';
  throw new StepFailure(
    'UNSUPPORTED_HOST',
    `unsupported host ${facts.os.prettyName || facts.os.id} (family ${facts.os.family}, package manager ${facts.packageManager}): ` +
      'kumi supports Debian/Ubuntu with apt and the RHEL family with dnf. Fix: use a supported OS.',
  );
}

/** Installed version of each package, or undefined when it is not installed. */
export async function installedVersions(
  host: HostReader,
  family: PackageFamily,
  names: readonly string[],
): Promise<Record<string, string | undefined>> {
  const found: Record<string, string | undefined> = {};
  for (const name of names) {
    const argv =
      family === 'apt'
        ? ['dpkg-query', '-W', '-f', '${db:Status-Abbrev}${Version}', name]
        : ['rpm', '-q', '--qf', '%{VERSION}-%{RELEASE}', name];
    const result = await host.probe(argv);
    const out = result.stdout.trim();
    if (result.exitCode !== 0) found[name] = undefined;
    // Status-Abbrev is want/status/error: "ii " installed, "hi " installed and held, "rc " removed.
    else if (family === 'apt') found[name] = out[1] === 'i' ? out.slice(3).trim() : undefined;
    else found[name] = out.length > 0 ? out : undefined;
  }
  return found;
}

/** The command that installs packages non-interactively (with exact versions where given). */
export function installPackages(family: PackageFamily, specs: readonly string[], why: string, extra: readonly string[] = []): RunAction {
  const argv =
    family === 'apt'
      ? ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--allow-change-held-packages', ...extra, ...specs]
      : ['dnf', 'install', '-y', ...extra, ...specs];
  return { kind: 'run', argv, why };
}

/** Refreshes apt's package lists (dnf refreshes by itself). */
export function refreshPackageLists(why: string): RunAction {
  return { kind: 'run', argv: ['apt-get', 'update'], why };
}

/** Whether curl runs on the host (downloads of keys and packages use it). */
export async function curlInstalled(host: HostReader): Promise<boolean> {
  return (await host.probe(['curl', '--version'])).exitCode === 0;
}

/** Installs curl and CA certificates (apt lists refreshed first), for hosts without them. */
export function installCurl(family: PackageFamily): RunAction[] {
  const install = installPackages(family, ['curl', 'ca-certificates'], 'curl downloads the signing keys and packages');
  return family === 'apt' ? [refreshPackageLists('find curl'), install] : [install];
}
