// The certificates and backup phases of the #12 chain (day2.test.ts): `kumi certs` shows every
// kubeadm certificate of every control plane, `kumi certs renew --force` renews them one control
// plane at a time (NotAfter moves forward, the API keeps answering through the VIP), and
// `kumi backup --keep 1` leaves a 0600 etcd snapshot with a matching .sha256 in the coordinator's
// state folder that `etcdctl snapshot status` reads, and deletes the older snapshot it had made
// (nothing else of that folder).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { inCoordinator } from '../../src/in-host';
import { healthzThroughVip } from '../../src/e2e/cluster-facts';
import { failureSummary } from '../../src/e2e/progress-records';
import type { Day2Context } from './day2-context';

/** Every certificate kubeadm's renewal manager handles on a control plane made by `kubeadm init` or `kubeadm join --control-plane` (super-admin.conf: init only). */
const KUBEADM_CERTS = [
  'admin.conf',
  'apiserver',
  'apiserver-etcd-client',
  'apiserver-kubelet-client',
  'controller-manager.conf',
  'etcd-healthcheck-client',
  'etcd-peer',
  'etcd-server',
  'front-proxy-client',
  'scheduler.conf',
];

interface CertRow {
  name: string;
  expires?: string;
  residualSeconds: number;
  missing: boolean;
}

interface CertsJson {
  hosts: { host: string; certificates: CertRow[] }[];
  earliest: { host: string; name: string; expires: string } | null;
}

/**
 * Runs kumi whose stdout is a result, not progress (`kumi certs`, `kumi backup` without
 * --json), on the coordinator's side of the lab; the run's time goes to ctx.timings.
 */
async function kumiResult(ctx: Day2Context, args: string[]): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  const started = Date.now();
  const result = await inCoordinator([process.execPath, '--enable-source-maps', ctx.cluster.bundles.kumi, ...args], {
    env: { ...process.env, KUMI_STATE_DIR: ctx.stateDir, NO_COLOR: '1' },
    timeoutMs: 300_000,
  });
  ctx.timings.push(`kumi ${args.slice(0, 2).join(' ')}: ${Date.now() - started} ms`);
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

async function readCerts(ctx: Day2Context): Promise<CertsJson> {
  const run = await kumiResult(ctx, ['certs', ctx.specPath, '--json', ...ctx.attachArgs]);
  expect(run.exitCode, `kumi certs failed:\n${run.stderr.slice(-3000)}`).toBe(0);
  return JSON.parse(run.stdout) as CertsJson;
}

const expiryOf = (certs: CertsJson, host: string, name: string) => certs.hosts.find((entry) => entry.host === host)?.certificates.find((cert) => cert.name === name)?.expires ?? '';

/**
 * `kumi certs`: one row per kubeadm certificate per control plane, the earliest named; then
 * `kumi certs renew --force`: every control plane's NotAfter moves forward and the API answers
 * through the VIP afterwards; a second `kumi certs renew` (no --force) renews nothing.
 */
export async function certsPhase(ctx: Day2Context): Promise<void> {
  const controlPlanes = ctx.hostsWithRole('control-plane');
  const before = await readCerts(ctx);
  expect(before.hosts.map((entry) => entry.host).sort()).toEqual(controlPlanes);
  for (const { host, certificates } of before.hosts) {
    const present = certificates.filter((cert) => !cert.missing).map((cert) => cert.name);
    expect(present, `kubeadm certificates of ${host}`).toEqual(expect.arrayContaining(KUBEADM_CERTS));
    for (const cert of certificates.filter((row) => !row.missing)) expect(cert.residualSeconds, `${host} ${cert.name}`).toBeGreaterThan(300 * 86_400);
  }
  expect(before.earliest).not.toBeNull();

  // Within a second of renewal the expiry in RFC 3339 (whole seconds) would not move: let a few pass.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const renew = await ctx.kumi(['certs', 'renew', ctx.specPath, '--force', '--json', ...ctx.attachArgs], { timeoutMs: 10 * 60_000 });
  expect(renew.exitCode, failureSummary(renew.events, renew.stderr)).toBe(0);
  const renewedOrder = renew.events.filter((event) => event.step === 'kubeadm.certs-renew' && event.kind === 'DONE').map((event) => event.host);
  expect(renewedOrder).toEqual(controlPlanes);
  expect(await healthzThroughVip(ctx.vip)).toBe('ok');

  const after = await readCerts(ctx);
  for (const host of controlPlanes) {
    for (const name of KUBEADM_CERTS) {
      expect(Date.parse(expiryOf(after, host, name)), `${host} ${name}: NotAfter ${expiryOf(before, host, name)} → ${expiryOf(after, host, name)}`).toBeGreaterThan(Date.parse(expiryOf(before, host, name)));
    }
  }

  const again = await ctx.kumi(['certs', 'renew', ctx.specPath, '--json', ...ctx.attachArgs], { timeoutMs: 5 * 60_000 });
  expect(again.exitCode, failureSummary(again.events, again.stderr)).toBe(0);
  expect(again.events.filter((event) => event.step === 'kubeadm.certs-renew' && event.kind === 'NOOP').map((event) => event.host)).toEqual(controlPlanes);
}

/**
 * `kumi backup`: the snapshot lands in the state folder's backups/, 0600, its .sha256 matches
 * its bytes, and `etcdctl snapshot status` (the machine's real etcd) reads it.
 */
export async function backupPhase(ctx: Day2Context): Promise<void> {
  // An older snapshot of this cluster, as kumi backup names its own, and files it did not write.
  const backups = path.join(ctx.stateDir, 'backups');
  const cluster = (ctx.readSpec()['metadata'] as { name: string }).name;
  const older = path.join(backups, `etcd-${cluster}-20200101T000000Z.db`);
  const foreign = [path.join(backups, `etcd-${cluster}-mine.db`), path.join(backups, 'notes.txt'), path.join(backups, `etcd-other-20200101T000000Z.db`)];
  mkdirSync(backups, { recursive: true, mode: 0o700 });
  for (const file of [older, `${older}.sha256`, ...foreign]) writeFileSync(file, 'not a snapshot\n', { mode: 0o600 });
  // NDJSON progress, then one result line (kind BACKUP): not a progress stream ctx.kumi would take.
  const run = await kumiResult(ctx, ['backup', ctx.specPath, '--json', '--keep', '1', ...ctx.attachArgs]);
  expect(run.exitCode, run.stderr.slice(-3000) || run.stdout.slice(-3000)).toBe(0);
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  const result = JSON.parse(last) as { kind: string; path: string; sha256Path: string; sizeBytes: number; sha256: string; revision: number; pruned: string[] };
  expect(result.kind).toBe('BACKUP');
  // --keep 1: the older snapshot and its .sha256 went once the new one was verified; nothing else did.
  expect(result.pruned).toEqual([older]);
  expect([older, `${older}.sha256`].filter((file) => existsSync(file))).toEqual([]);
  expect(foreign.filter((file) => !existsSync(file))).toEqual([]);
  expect(result.path.startsWith(`${ctx.stateDir}/backups/`)).toBe(true);
  expect(statSync(result.path).mode & 0o777).toBe(0o600);
  const bytes = readFileSync(result.path);
  const sha = createHash('sha256').update(bytes).digest('hex');
  expect([bytes.length, sha]).toEqual([result.sizeBytes, result.sha256]);
  expect(readFileSync(result.sha256Path, 'utf8')).toBe(`${sha}  ${result.path.split('/').at(-1)}\n`);
  const status = await inCoordinator(['env', 'ETCDCTL_API=3', 'etcdctl', 'snapshot', 'status', result.path, '-w', 'json'], { timeoutMs: 30_000 });
  expect(status.exitCode, String(status.stderr)).toBe(0);
  expect((JSON.parse(String(status.stdout)) as { revision: number }).revision).toBe(result.revision);
}
