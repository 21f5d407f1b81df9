/** Process exit codes of `kumi`; documented in the `kumi --help` epilog. */
export const ExitCode = {
  /** Everything asked for was done (a step ended DONE or NOOP). */
  OK: 0,
  /** The work failed (a step ended FAILED, a server error). */
  FAILURE: 1,
  /** Bad input or usage: unknown option, malformed value, invalid spec or parameters. */
  USAGE: 2,
  /** The cluster state folder is missing, unreadable or already exists, or another kumi holds the cluster lock. */
  STATE: 3,
  /** The coordinator is not running, or the host is not attached to it. */
  UNAVAILABLE: 4,
  /** Interrupted by SIGINT or SIGTERM. */
  INTERRUPTED: 130,
} as const;

/** One of the values of ExitCode. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The epilog of `kumi --help`: every exit code and what it means. */
export const EXIT_CODES_HELP = `Exit codes:
  0    ok (a step ended DONE or NOOP)
  1    failure (a step ended FAILED, or the server failed)
  2    bad input or usage (unknown option, malformed value or parameters)
  3    cluster state problem (no such cluster, or it already exists),
       or the cluster is locked by another kumi
  4    unavailable (kumi serve is not running, or the host is not attached)
  130  interrupted (SIGINT/SIGTERM)`;
