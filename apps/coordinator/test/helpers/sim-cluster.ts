import { createHash } from 'node:crypto';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { AgentMessage, CoordinatorMessage__Output, StepEvent, StepRequest__Output } from '@kumi/proto';
import { createKeyAndCsr, signClientCsr } from '@kumi/trust';
import type { ClusterState, ServingMaterial } from '../../src/state/cluster-state';
import { type AgentIdentity, coordinatorClient } from './fake-agent';

/** One StepRequest as an agent of the simulation received it. */
export interface ReceivedRequest {
  host: string;
  step: string;
  params: Record<string, unknown>;
  secrets: Record<string, string>;
  dryRun: boolean;
}

/** Enrolls a host straight into the state folder (no coordinator needed): key, CSR, CA-signed certificate. */
export async function enrollDirect(state: ClusterState, material: ServingMaterial, hostName: string): Promise<AgentIdentity> {
  const { keyPem, csrPem } = await createKeyAndCsr(hostName);
  const certPem = await signClientCsr({ certPem: material.caCertPem, keyPem: material.caKeyPem }, csrPem, hostName);
  const der = Buffer.from(certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  await state.hosts.record({ hostName, enrolledAt: new Date().toISOString(), certSha256: createHash('sha256').update(der).digest('hex'), tokenId: 'direct' });
  return { hostName, keyPem, certPem };
}

/**
 * A cluster played by fake agents with kubeadm's semantics where kumi up depends on them:
 * init mints nothing itself, tokens must exist on the cluster for a join, a control-plane
 * join needs the certificate key of the latest upload, a joined node answers NOOP, and a
 * step that ran once answers NOOP (and its dry run says so). Every request is recorded.
 */
export class SimCluster {
  readonly requests: ReceivedRequest[] = [];
  readonly tokens = new Set<string>();
  readonly joins = new Map<string, number>();
  readonly ran = new Set<string>();
  readonly caCertHash = `sha256:${'ab'.repeat(32)}`;
  uploadedKey: string | undefined;
  /** When the certificates were uploaded, on the cluster's clock. */
  uploadedAt = 0;
  /** The cluster's clock (the lab's), apart from the coordinator's. */
  clusterNow = Date.parse('2026-11-27T10:00:00Z');
  initialized = false;
  /** What kubeadm-config says once initialised (kubeadm.cluster-version's answer): the seed's version. */
  clusterVersion = '1.33.2';
  /** Called for each request before it is answered; return 'hang' to never answer it. */
  onRequest: ((request: ReceivedRequest) => 'hang' | void) | undefined;
  /** Makes these `host/step` pairs fail once with COMMAND_FAILED. */
  readonly failOnce = new Set<string>();

  /** The terminal answer to a request, applying its effect on the simulated cluster. */
  answer(request: ReceivedRequest): { kind: 'DONE' | 'NOOP' | 'FAILED'; text: string; outputs?: Record<string, unknown>; planned?: string[]; stderr?: string } {
    const key = `${request.host}/${request.step}`;
    const uploadFresh = (margin: number) => request.secrets.certificateKey === this.uploadedKey && this.uploadedAt + 2 * 3_600_000 - this.clusterNow > margin;
    if (request.step === 'kubeadm.cluster-version') {
      // Read-only: a noop with the version, dry run or not (as the real step).
      if (!this.initialized) return { kind: 'FAILED', text: `${request.host} is not an initialised control plane` };
      return { kind: 'NOOP', text: `read-only: the cluster runs Kubernetes v${this.clusterVersion}`, outputs: { kubernetesVersion: this.clusterVersion } };
    }
    if (request.dryRun && request.step === 'kubeadm.upload-certs') {
      return uploadFresh(30 * 60_000) ? { kind: 'NOOP', text: 'certificates already uploaded with this key' } : { kind: 'DONE', text: '', planned: ['run kubeadm init phase upload-certs'] };
    }
    if (request.dryRun) {
      return this.ran.has(key) ? { kind: 'NOOP', text: `${request.step} already applied` } : { kind: 'DONE', text: '', planned: [`run ${request.step} --apply`] };
    }
    if (this.failOnce.delete(key)) return { kind: 'FAILED', text: `${request.step} exited 1`, stderr: 'E1127 something broke\nfatal: simulated failure' };
    const token = request.secrets.bootstrapToken;
    const key2 = request.secrets.certificateKey;
    switch (request.step) {
      case 'kubeadm.init':
        if (this.initialized) return { kind: 'NOOP', text: 'already initialised', outputs: { caCertHash: this.caCertHash } };
        if (!token || !key2) return { kind: 'FAILED', text: 'init needs bootstrapToken and certificateKey' };
        this.initialized = true;
        this.tokens.add(token);
        this.uploadedKey = key2;
        this.uploadedAt = this.clusterNow;
        return { kind: 'DONE', text: '', outputs: { caCertHash: this.caCertHash } };
      case 'kubeadm.upload-certs':
        if (!this.initialized || !key2) return { kind: 'FAILED', text: 'upload-certs needs an initialised cluster and a certificateKey' };
        // Like the step: nothing to do while the cluster holds certificates under this key, fresh by its clock.
        if (uploadFresh(30 * 60_000)) return { kind: 'NOOP', text: 'certificates already uploaded with this key' };
        this.uploadedKey = key2;
        this.uploadedAt = this.clusterNow;
        return { kind: 'DONE', text: '', outputs: { expiresAt: '' } };
      case 'kubeadm.token-create':
        if (!token) return { kind: 'FAILED', text: 'token-create needs bootstrapToken' };
        this.tokens.add(token);
        return { kind: 'DONE', text: '', outputs: { tokenId: token.split('.')[0], expires: '' } };
      case 'kubeadm.token-delete': {
        const found = [...this.tokens].find((candidate) => candidate.startsWith(`${String(request.params.tokenId)}.`));
        if (!found) return { kind: 'NOOP', text: 'no such token' };
        this.tokens.delete(found);
        return { kind: 'DONE', text: '' };
      }
      case 'kubeadm.join': {
        if (this.joins.has(request.host)) return { kind: 'NOOP', text: `${request.host} already joined`, outputs: { caCertHash: this.caCertHash } };
        if (!token || !this.tokens.has(token)) return { kind: 'FAILED', text: 'couldn\'t validate the identity of the API Server: token not found' };
        if (request.params.role === 'control-plane' && (!key2 || key2 !== this.uploadedKey)) return { kind: 'FAILED', text: 'error downloading certs: the certificate key does not open kubeadm-certs' };
        if (request.params.role === 'control-plane' && !uploadFresh(0)) return { kind: 'FAILED', text: 'error downloading certs: secret "kubeadm-certs" not found (expired)' };
        if ((request.params.caCertHashes as string[] | undefined)?.[0] !== this.caCertHash) return { kind: 'FAILED', text: 'CA hash mismatch' };
        this.joins.set(request.host, (this.joins.get(request.host) ?? 0) + 1);
        return { kind: 'DONE', text: '', outputs: { caCertHash: this.caCertHash, nodeName: request.host } };
      }
      default: {
        const already = this.ran.has(key);
        this.ran.add(key);
        return already ? { kind: 'NOOP', text: `${request.step} already applied` } : { kind: 'DONE', text: '' };
      }
    }
  }
}

/**
 * An agent of the simulation: attaches over mutual TLS (retrying until the coordinator
 * listens, bounded), runs one request at a time against the SimCluster, and reports
 * START, one OUTPUT line and the terminal event.
 */
export class SimAgent {
  private stream: ClientDuplexStream<AgentMessage, CoordinatorMessage__Output> | undefined;
  private close: (() => void) | undefined;
  private stopped = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly sim: SimCluster,
    private readonly identity: AgentIdentity,
    private readonly caPem: string,
  ) {}

  /** Connects to address and keeps reconnecting after drops until stop(), at most `attempts` times. */
  start(address: string, attempts = 400): void {
    const connect = (left: number) => {
      if (this.stopped || left <= 0) return;
      const client = coordinatorClient(address, this.caPem, this.identity);
      const stream = client.Attach();
      this.stream = stream;
      this.close = () => {
        stream.cancel();
        client.close();
      };
      let retried = false;
      const retry = () => {
        if (retried) return;
        retried = true;
        client.close();
        setTimeout(() => connect(left - 1), 50).unref();
      };
      stream.on('error', retry);
      stream.on('end', retry);
      stream.on('data', (message: CoordinatorMessage__Output) => {
        if (message.run) {
          const run = message.run;
          this.queue = this.queue.then(() => this.handle(stream, run));
        }
      });
      const host = this.identity.hostName;
      stream.write({ hello: { hostName: host, agentVersion: '0.0.0-sim', busyRunId: '', facts: { hostName: host, productUuid: `uuid-${host}`, interfaces: [{ name: 'eth0', mac: `02:00:00:00:00:${host.length.toString(16).padStart(2, '0')}`, addresses: [], up: true, virtual: false }] } } });
    };
    connect(attempts);
  }

  stop(): void {
    this.stopped = true;
    this.close?.();
  }

  private async handle(stream: ClientDuplexStream<AgentMessage, CoordinatorMessage__Output>, run: StepRequest__Output): Promise<void> {
    const host = this.identity.hostName;
    const request: ReceivedRequest = { host, step: run.step, params: JSON.parse(run.paramsJson || '{}') as Record<string, unknown>, secrets: { ...run.secrets }, dryRun: run.dryRun };
    this.sim.requests.push(request);
    if (this.sim.onRequest?.(request) === 'hang') return;
    const base = { runId: run.runId, host, step: run.step, timeUnixMs: Date.now() };
    const send = (seq: number, event: Partial<StepEvent>) => stream.write({ event: { ...base, seq, ...event } });
    send(1, { kind: 'EVENT_KIND_START', text: run.step });
    send(2, { kind: 'EVENT_KIND_OUTPUT', text: `working on ${run.step}`, stream: 'OUTPUT_STREAM_STDOUT' });
    const answer = this.sim.answer(request);
    if (answer.kind === 'FAILED') {
      send(3, { kind: 'EVENT_KIND_FAILED', text: answer.text, error: { code: 'ERROR_CODE_COMMAND_FAILED', message: answer.text, exitCode: 1, stderrTail: answer.stderr ?? '', command: `kubeadm ${run.step}` } });
    } else if (answer.kind === 'DONE' && run.dryRun) {
      // As the agent does: a dry run that finds work ends PLANNED with the actions.
      send(3, { kind: 'EVENT_KIND_PLANNED', planned: answer.planned ?? [] });
    } else {
      send(3, { kind: answer.kind === 'DONE' ? 'EVENT_KIND_DONE' : 'EVENT_KIND_NOOP', text: answer.text, outputsJson: JSON.stringify(answer.outputs ?? {}) });
    }
  }
}
