/** A dnf install argument matched to a package name (and the version it asks for, if any). */
export interface DnfSpec {
  name: string;
  /** VERSION or VERSION-RELEASE the argument names, undefined for a bare name. */
  version: string | undefined;
}

/** Whether VERSION or VERSION-RELEASE (globs allowed, as dnf takes them) names the offered VERSION-RELEASE. */
export function rpmVersionMatches(asked: string, offered: string): boolean {
  const glob = (text: string) => new RegExp(`^${text.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  const release = offered.lastIndexOf('-');
  return glob(asked).test(offered) || (release > 0 && glob(asked).test(offered.slice(0, release)));
}

/**
 * Splits a dnf package argument in the order dnf tries what the user most probably means:
 * NAME(.ARCH), then NAME-VERSION-RELEASE.ARCH, NAME-VERSION, NAME-VERSION-RELEASE
 * (rpm-software-management/libdnf libdnf/hy-subject.cpp HY_FORMS_REAL: NA, NAME, NEVRA, NEV, NEVR).
 * `offered` gives the repositories' VERSION-RELEASE of a name; undefined when none matches.
 */
export function resolveDnfSpec(spec: string, offered: (name: string) => string | undefined): DnfSpec | undefined {
  const bare = spec.replace(/\.(x86_64|noarch)$/, '');
  if (offered(bare) !== undefined) return { name: bare, version: undefined };
  const parts = bare.split('-');
  // The name is everything before VERSION (NEV) or VERSION-RELEASE (NEVR).
  for (const cut of [parts.length - 1, parts.length - 2]) {
    if (cut < 1) continue;
    const name = parts.slice(0, cut).join('-');
    const version = parts.slice(cut).join('-');
    const have = offered(name);
    if (have !== undefined && rpmVersionMatches(version, have)) return { name, version };
  }
  return undefined;
}
