import { inHost } from '../in-host';

/** One firewalld zone as `firewall-cmd --list-all` prints it. */
export interface ZoneView {
  services: string[];
  ports: string[];
  protocols: string[];
  interfaces: string[];
  sources: string[];
  richRules: string[];
}

/** The zones the firewall step touches, permanent and runtime, as firewalld itself reports them. */
export interface FirewalldSnapshot {
  permanent: { public: ZoneView; trusted: ZoneView };
  runtime: { public: ZoneView; trusted: ZoneView };
}

const FIELDS: Record<string, keyof Omit<ZoneView, 'richRules'>> = {
  services: 'services',
  ports: 'ports',
  protocols: 'protocols',
  interfaces: 'interfaces',
  sources: 'sources',
};

/** Parses `firewall-cmd --zone=Z --list-all`: "  key: a b" lines, rich rules indented below their header. */
export function parseListAll(text: string): ZoneView {
  const view: ZoneView = { services: [], ports: [], protocols: [], interfaces: [], sources: [], richRules: [] };
  let inRichRules = false;
  for (const line of text.split('\n')) {
    const field = /^\s+([a-z -]+):\s*(.*)$/.exec(line);
    if (field) {
      inRichRules = field[1] === 'rich rules';
      const key = FIELDS[field[1] ?? ''];
      if (key) view[key] = (field[2] ?? '').split(/\s+/).filter(Boolean).sort();
      continue;
    }
    // Rich rules follow their header, one per line, tab-indented.
    if (inRichRules && /^\s+\S/.test(line)) view.richRules.push(line.trim());
  }
  view.richRules.sort();
  return view;
}

const MARK = '--8<--';

/** Reads public and trusted, permanent and runtime, with four `firewall-cmd --list-all` calls in one shell. */
export async function firewalldSnapshot(host: string): Promise<FirewalldSnapshot> {
  const calls = ['--permanent --zone=public', '--permanent --zone=trusted', '--zone=public', '--zone=trusted'];
  const script = calls.map((args) => `firewall-cmd ${args} --list-all || exit 1; echo '${MARK}'`).join('\n');
  const result = await inHost(host, ['sh', '-c', script], { timeoutMs: 20_000 });
  if (result.exitCode !== 0) throw new Error(`firewall-cmd --list-all failed on ${host}: ${String(result.stderr)}`);
  const [permPublic = '', permTrusted = '', runPublic = '', runTrusted = ''] = String(result.stdout).split(new RegExp(`^${MARK}$`, 'm'));
  return {
    permanent: { public: parseListAll(permPublic), trusted: parseListAll(permTrusted) },
    runtime: { public: parseListAll(runPublic), trusted: parseListAll(runTrusted) },
  };
}
