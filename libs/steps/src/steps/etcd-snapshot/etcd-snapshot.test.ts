import { describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { debianFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import { etcdSnapshot } from './etcd-snapshot';
import { etcdSnapshotParams } from './params';
import { parseSnapshotStatus } from './snapshot-status';

const params = etcdSnapshotParams.parse({ name: 'etcd-20261206T093000Z.db' });
const FILE = '/var/lib/kumi/backups/etcd-20261206T093000Z.db';
const PKI = { '/etc/kubernetes/pki/etcd/ca.crt': 'ca', '/etc/kubernetes/pki/etcd/healthcheck-client.crt': 'c', '/etc/kubernetes/pki/etcd/healthcheck-client.key': 'k' };
const STATUS = '{"hash":3592932013,"revision":4021,"totalKey":911,"totalSize":2392064}';

describe('etcd.snapshot', () => {
  it('first run: etcdctl snapshot save with the etcd CA and client certificate, 0600, then status must read it back', async () => {
    const host = fakeHost(debianFacts, PKI, { 'etcdctl version': 'etcdctl version: 3.5.16', 'etcdutl version': 'etcdutl version: 3.5.16' });
    const facts = await etcdSnapshot.check(host, params, {});
    expect(facts).toEqual({ statusTool: 'etcdutl', existing: undefined });
    expect(etcdSnapshot.plan(facts, params, {}).actions.map(describeAction)).toEqual([
      'run install -d -m 0700 /var/lib/kumi/backups  # snapshots hold every Secret of the cluster: root only',
      `run etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key snapshot save ${FILE}  # snapshot the local member (etcdctl writes FILE.part and renames it once complete)`,
      `run chmod 0600 ${FILE}  # snapshots hold every Secret of the cluster: root only`,
      `run etcdutl snapshot status ${FILE} -w json  # the snapshot must read back before it counts`,
    ]);
  });

  it('etcd 3.4 (no etcdutl) reads the status with etcdctl; a good snapshot of this name is a noop, a broken one is taken again', async () => {
    const files = { ...PKI, [FILE]: 'bytes' };
    const good = await etcdSnapshot.check(fakeHost(debianFacts, files, { 'etcdctl version': 'etcdctl version: 3.4.23', [`etcdctl snapshot status ${FILE} -w json`]: STATUS }), params, {});
    expect(etcdSnapshot.plan(good, params, {}).noop).toBe(`snapshot ${FILE} already taken (revision 4021, 911 keys)`);
    const broken = await etcdSnapshot.check(fakeHost(debianFacts, files, { 'etcdctl version': 'ok', [`etcdctl snapshot status ${FILE} -w json`]: { exitCode: 1, stderr: 'snapshot file integrity check failed' } }), params, {});
    expect(broken).toEqual({ statusTool: 'etcdctl', existing: 'broken' });
    expect(etcdSnapshot.plan(broken, params, {}).actions.map(describeAction)[1]).toMatch(/^run etcdctl .* snapshot save /);
  });

  it('outputs: path, size, sha256 and the status of the file', async () => {
    const sha = 'a'.repeat(64);
    const host = fakeHost(debianFacts, {}, { [`etcdutl snapshot status ${FILE} -w json`]: STATUS, [`sha256sum ${FILE}`]: `${sha}  ${FILE}\n`, [`stat -c %s ${FILE}`]: '2392064\n' });
    expect(await etcdSnapshot.outputs!(host, params, { statusTool: 'etcdutl', existing: undefined })).toEqual({
      path: FILE,
      name: 'etcd-20261206T093000Z.db',
      sizeBytes: 2_392_064,
      sha256: sha,
      status: { hash: 3592932013, revision: 4021, totalKey: 911, totalSize: 2392064 },
    });
  });

  it('refuses without etcdctl or off a control plane, and names must be plain .db file names', async () => {
    await expect(etcdSnapshot.check(fakeHost(debianFacts, PKI), params, {})).rejects.toThrow(/etcdctl is not installed.*Fix: install the etcd client/);
    await expect(etcdSnapshot.check(fakeHost(debianFacts, {}, { 'etcdctl version': 'ok' }), params, {})).rejects.toThrow(/ca.crt is missing.*Fix: take the snapshot on a control plane/);
    for (const name of ['../etc/shadow.db', 'x/y.db', 'snap.txt', '.db']) expect(etcdSnapshotParams.safeParse({ name }).success).toBe(false);
    expect(parseSnapshotStatus('{"hash":"x"}')).toBeUndefined();
  });
});
