import { existsSync } from 'node:fs';
import { ClusterLock } from '../journal/lock';
import type { SecretRegistry } from '../journal/secret-registry';
import { noColorWanted } from '../output/terminal';
import { writeReport } from '../report/write-report';
import type { ListenAddress } from '../server/listen-address';
import { journalSource } from './journal-source';
import { type LiveServer, startLiveServer } from './live-server';

/** Options of startBuildPicture. */
export interface BuildPictureOptions {
  /** The cluster's state folder. */
  dir: string;
  run: string;
  cluster: string;
  secrets: SecretRegistry;
  /** Serve the live page here (`--web`). */
  web?: ListenAddress;
  webExposed?: boolean;
  /** Tells the user something (the live page's address, the report's path). */
  say(text: string): void;
}

/** The picture of a build that is running. */
export interface BuildPicture {
  /** Writes the report of the run, says where, and ends the live page. Never throws. */
  finish(): Promise<string | undefined>;
}

/**
 * The hook of `kumi up` (and verify, drill): serves the live page while the run goes on
 * when asked, and writes the run's report into `<state>/reports/<run>.html` at the end.
 */
export async function startBuildPicture(options: BuildPictureOptions): Promise<BuildPicture> {
  const mono = noColorWanted();
  const source = journalSource(options.dir, options.run);
  const live = options.web
    ? await startLiveServer({ address: options.web, exposed: options.webExposed === true, cluster: options.cluster, mono, secrets: options.secrets, ...source })
    : undefined;
  if (live) options.say(`live picture of the build: ${live.url}`);
  let finished: Promise<string | undefined> | undefined;
  const finish = async (): Promise<string | undefined> => {
    try {
      const { file } = writeReport({ dir: options.dir, run: options.run, cluster: options.cluster, open: false, mono, secrets: options.secrets });
      options.say(`report: ${file}`);
      return file;
    } catch (error) {
      options.say(`could not write the report (${(error as Error).message}); \`kumi report\` writes it from the journal`);
      return undefined;
    } finally {
      live?.end();
      await live?.close();
    }
  };
  return { finish: () => (finished ??= finish()) };
}

/** What `kumi up` hands to startBuildPicture: its session, cluster and options. */
export function buildPictureOptions(
  session: { state: { paths: { dir: string } }; run: string; secrets: SecretRegistry; progress: { emit(event: { kind: 'PROGRESS'; stage: ''; host: ''; step: ''; text: string }): unknown } },
  cluster: string,
  options: { web?: ListenAddress; webExposed?: boolean },
): BuildPictureOptions {
  return {
    dir: session.state.paths.dir,
    run: session.run,
    cluster,
    secrets: session.secrets,
    ...(options.web ? { web: options.web, webExposed: options.webExposed === true } : {}),
    say: (text) => session.progress.emit({ kind: 'PROGRESS', stage: '', host: '', step: '', text }),
  };
}

/**
 * The live page of `kumi serve --web`: the journal's latest run, followed while a `kumi`
 * holds the cluster's lock (a run in progress), until the server stops.
 */
export async function serveLivePicture(options: { dir: string; cluster: string; web: ListenAddress; webExposed?: boolean }): Promise<LiveServer> {
  const source = journalSource(options.dir);
  const lock = new ClusterLock(options.dir).file;
  return startLiveServer({
    address: options.web,
    exposed: options.webExposed === true,
    cluster: options.cluster,
    mono: noColorWanted(),
    model: (open) => source.model(open && existsSync(lock)),
    version: () => `${source.version()}:${existsSync(lock)}`,
  });
}
