import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import type { Duplex } from 'node:stream';
import type { KubeApi } from '../common/kube-api';
import type { KubeObject } from '../common/kube-object';
import { resourceByRest } from '../common/resources';
import { acceptExec, execRequestOf, upgradeRefusal, type ExecRequest, type ExecSession } from '../apiserver/streaming/remotecommand';
import { containerProgram, isStaticPod } from './exec-programs';

const PODS = resourceByRest('', 'pods');
/** How long the client may take to open its SPDY streams (kubelet streaming StreamCreationTimeout default). */
const STREAM_CREATION_TIMEOUT_MS = 30_000;

/** What the kubelet's exec endpoint needs from the kubelet. */
export interface KubeletExecDeps {
  readonly api: KubeApi;
  readonly nodeName: string;
  /** True while the host service of a static pod (etcd, kube-apiserver) runs. */
  readonly staticPodRunning: (name: string) => boolean;
  readonly log: (line: string) => void;
}

/** Answers an upgrade request with a plain HTTP error, as streaming.WriteError does before any upgrade. */
function refuse(socket: Duplex, code: number, text: string): void {
  const reason = { 400: 'Bad Request', 404: 'Not Found', 500: 'Internal Server Error' }[code] ?? 'Error';
  socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

/**
 * The kubelet's `/exec/{podNamespace}/{podID}/{containerName}` (k/k pkg/kubelet/server/server.go
 * getExec): finds the pod on this node and its running container, upgrades the connection
 * (WebSocket v5/v4 or SPDY v4, see apiserver/streaming) and runs the command with its streams.
 */
export async function serveKubeletExec(deps: KubeletExecDeps, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://kubelet');
  const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  if (parts[0] !== 'exec' || parts.length !== 4) return refuse(socket, 404, '404 page not found');
  const [, namespace = '', podName = '', containerName = ''] = parts;
  const pod = await deps.api.find(PODS, namespace, podName);
  if (!pod || (pod.spec as { nodeName?: string } | undefined)?.nodeName !== deps.nodeName) return refuse(socket, 404, 'pod does not exist');
  const container = ((pod.spec as { containers?: { name: string; image?: string }[] } | undefined)?.containers ?? []).find((c) => c.name === containerName);
  if (!container || !containerRunning(deps, pod, containerName)) return refuse(socket, 500, `container not found ("${containerName}")`);
  const refusal = upgradeRefusal(req);
  if (refusal) return refuse(socket, 400, refusal);
  const request = execRequestOf(url, containerName);
  if (request.command.length === 0) return refuse(socket, 400, 'you must specify at least 1 command');
  const session = acceptExec(req, socket, head, request);
  const started = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), STREAM_CREATION_TIMEOUT_MS);
    session.onGone(() => {
      clearTimeout(timer);
      resolve(false);
    });
    void session.ready.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  if (!started) return void socket.destroy();
  deps.log(`exec in ${namespace}/${podName}/${containerName}: ${request.command[0] ?? ''} (${session.protocol})`);
  await runInContainer(deps.api, pod, container, request, session);
}

function containerRunning(deps: KubeletExecDeps, pod: KubeObject, container: string): boolean {
  if (isStaticPod(pod)) return deps.staticPodRunning(container);
  return (pod.status as { phase?: string } | undefined)?.phase === 'Running';
}

/** Runs the command and ends the session with its exit status (remotecommand ServeExec). */
async function runInContainer(api: KubeApi, pod: KubeObject, container: { name: string; image?: string }, request: ExecRequest, session: ExecSession): Promise<void> {
  const [command = '', ...args] = request.command;
  const program = containerProgram(pod, container, command);
  if (program.kind === 'missing') {
    // containerd's answer when runc cannot find the binary: an error, not an exit code.
    const execId = crypto.randomBytes(32).toString('hex');
    session.finish({ kind: 'error', message: `failed to exec in container: failed to start exec "${execId}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${command}": executable file not found in $PATH: unknown` });
    return;
  }
  if (program.kind === 'emulated') {
    const result = await program.run(api, args, pod.metadata?.namespace ?? 'default');
    if (result.stdout !== '') session.stdout(Buffer.from(result.stdout));
    session.finish(result.exitCode === 0 ? { kind: 'success' } : { kind: 'exit', code: result.exitCode, message: `error executing command [${request.command.join(' ')}], exit code ${result.exitCode}` });
    return;
  }
  const child = spawn(program.file, args, { cwd: '/', stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOSTNAME: os.hostname() } });
  child.stdout.on('data', (data: Buffer) => session.stdout(data));
  // With a TTY the runtime gives the process one terminal: stderr shows up on stdout.
  child.stderr.on('data', (data: Buffer) => (request.tty ? session.stdout(data) : session.stderr(data)));
  child.stdin.on('error', () => undefined);
  if (request.stdin) session.onStdin((data) => (data === null ? child.stdin.end() : child.stdin.write(data)));
  else child.stdin.end();
  session.onGone(() => child.kill('SIGKILL'));
  await new Promise<void>((resolve) => {
    child.on('error', (err) => {
      session.finish({ kind: 'error', message: err.message });
      resolve();
    });
    child.on('close', (code, signal) => {
      // A process killed by a signal exits 128+N, as runc reports it.
      const exitCode = code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0);
      session.finish(exitCode === 0 ? { kind: 'success' } : { kind: 'exit', code: exitCode, message: `error executing command [${request.command.join(' ')}], exit code ${exitCode}` });
      resolve();
    });
  });
}
