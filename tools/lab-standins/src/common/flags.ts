/** Parsed command line: positional arguments and `--flag[=value]` / `--flag value` options. */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Map<string, string[]>;
}

/**
 * Parses arguments the way cobra/pflag does for the flags the stand-ins know:
 * `booleans` never take a separate value; every other flag takes `=v` or the next argument.
 * `-f` and `-o`-style short flags are given as aliases.
 */
export function parseArgs(argv: readonly string[], booleans: ReadonlySet<string>, aliases: Readonly<Record<string, string>> = {}): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  const add = (name: string, value: string): void => {
    flags.set(name, [...(flags.get(name) ?? []), value]);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    const long = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    const short = /^-([a-zA-Z])(?:=?(.+))?$/s.exec(arg);
    const match = long ?? short;
    if (!match?.[1] || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const name = long ? match[1] : (aliases[match[1]] ?? match[1]);
    if (match[2] !== undefined) add(name, match[2]);
    else if (booleans.has(name)) add(name, 'true');
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new Error(`flag needs an argument: --${name}`);
      add(name, next);
      i++;
    }
  }
  return { positionals, flags };
}

/** The last value of a flag, if given. */
export function flag(args: ParsedArgs, name: string): string | undefined {
  const values = args.flags.get(name);
  return values?.[values.length - 1];
}

/** True when a boolean flag was given and not set to false. */
export function boolFlag(args: ParsedArgs, name: string): boolean {
  const value = flag(args, name);
  return value !== undefined && value !== 'false';
}
