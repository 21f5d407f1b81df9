import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EtcdKv } from '../common/etcd-client';
import { statusBody, type KubeObject } from '../common/kube-object';
import { CompactedError, type EtcdEvent, type EtcdWatcher } from './etcd-watch';
import type { Selection } from './selectors';

/**
 * `?watch=true` on a collection: a chunked stream of metav1.WatchEvent JSON objects
 * ({"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}), one per line, as
 * k8s.io/apiserver's endpoints/handlers/watch.go (serveWatch) writes them for JSON.
 *
 * Events come from etcd's watch and are translated as storage/etcd3/watcher.go
 * (watchChan.transform / filter) does: a PUT that created the key is ADDED, other PUTs are
 * MODIFIED, a DELETE is DELETED carrying the last object; with a selector, an object moving
 * into it is ADDED and moving out of it DELETED. resourceVersion "" or "0" (or
 * sendInitialEvents=true) first sends an ADDED event per existing object; with
 * sendInitialEvents a BOOKMARK annotated "k8s.io/initial-events-end" ends them (the
 * WatchList protocol of KEP-3157). A compacted start revision is answered with an ERROR
 * event holding a 410 Expired Status ("too old resource version"), as etcd3/errors.go maps it.
 * The stream ends after timeoutSeconds (default 30 minutes, the server's minRequestTimeout).
 */

export interface WatchRequest {
  readonly prefix: string;
  readonly selection: Selection;
  readonly url: URL;
  /** The object as the API server shows it (reaped, liveness applied); undefined hides it. */
  readonly present: (obj: KubeObject) => Promise<KubeObject | undefined>;
}

function decode(kv: EtcdKv, resourceVersion = kv.modRevision): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  return { ...obj, metadata: { ...obj.metadata, resourceVersion } };
}

/** Serves one watch request until the client leaves, etcd ends it, or its timeout passes. */
export async function serveWatch(req: IncomingMessage, res: ServerResponse, watcher: EtcdWatcher, w: WatchRequest): Promise<void> {
  const rv = w.url.searchParams.get('resourceVersion') ?? '';
  const initial = w.url.searchParams.get('sendInitialEvents') === 'true';
  const timeoutSeconds = Number(w.url.searchParams.get('timeoutSeconds') ?? '1800');
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
  const write = (type: string, object: unknown): void => {
    res.write(`${JSON.stringify({ type, object })}\n`);
  };
  // Events are written in etcd's order even though presenting an object is asynchronous.
  let queue: Promise<void> = Promise.resolve();
  let start = rv === '' ? '0' : rv;
  if (rv === '' || rv === '0' || initial) {
    const listed = await watcher.listAt(w.prefix);
    for (const kv of listed.kvs) {
      const shown = await w.present(decode(kv));
      if (shown && w.selection.matches(shown)) write('ADDED', shown);
    }
    if (initial) write('BOOKMARK', { metadata: { resourceVersion: listed.revision, annotations: { 'k8s.io/initial-events-end': 'true' } } });
    start = listed.revision;
  }
  const translate = async (e: EtcdEvent): Promise<void> => {
    const prev = e.prev ? await w.present(decode(e.prev)) : undefined;
    const prevMatches = prev !== undefined && w.selection.matches(prev);
    if (e.type === 'DELETE') {
      if (prev && prevMatches) write('DELETED', { ...prev, metadata: { ...prev.metadata, resourceVersion: e.kv.modRevision } });
      return;
    }
    const cur = await w.present(decode(e.kv));
    const curMatches = cur !== undefined && w.selection.matches(cur);
    if (curMatches && (e.kv.createRevision === e.kv.modRevision || !prevMatches)) write('ADDED', cur);
    else if (curMatches) write('MODIFIED', cur);
    else if (prevMatches && prev) write('DELETED', { ...prev, metadata: { ...prev.metadata, resourceVersion: e.kv.modRevision } });
  };
  await new Promise<void>((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      stop();
      void queue.then(() => {
        res.end();
        resolve();
      });
    };
    const stop = watcher.watch(
      w.prefix,
      String(BigInt(start) + 1n),
      (events) => {
        for (const e of events) queue = queue.then(() => translate(e)).catch(() => undefined);
      },
      (err) => {
        if (err instanceof CompactedError) write('ERROR', statusBody(410, 'Expired', `too old resource version: ${start} (${err.compactRevision})`));
        finish();
      },
    );
    const timer = setTimeout(finish, Math.max(1, timeoutSeconds) * 1000);
    req.on('close', finish);
  });
}
