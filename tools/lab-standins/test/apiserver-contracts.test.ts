import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiResourceList } from '../src/apiserver/discovery';
import { validateFields } from '../src/apiserver/field-validation';
import { openApiV3 } from '../src/apiserver/openapi';
import { protobufToJson } from '../src/apiserver/protobuf';
import { selection } from '../src/apiserver/selectors';
import { strategicMergePatch } from '../src/apiserver/strategic-merge';
import { humanDuration, toTable, wantsTable } from '../src/apiserver/table';
import { resourceByRest } from '../src/common/resources';
import { kubectlBinary, kubectlMode, realKubectlFor, recordKubectlMode } from '../src/packages/kubectl-client';

const select = (query: string) => selection(new URL(`https://x/api/v1/pods?${query}`));
const pod = (labels: Record<string, string>, nodeName = 'n1') => ({ metadata: { name: 'p', labels }, spec: { nodeName } });

describe('label and field selectors (apimachinery labels.Parse, fields.ParseSelector)', () => {
  it.each([
    ['labelSelector=app%3Dflannel', { app: 'flannel' }, true],
    ['labelSelector=app%3D%3Dflannel', { app: 'other' }, false],
    ['labelSelector=app!%3Dflannel', { app: 'other' }, true],
    ['labelSelector=app', {}, false],
    ['labelSelector=!app', {}, true],
    ['labelSelector=tier%20in%20(a%2Cb),app', { tier: 'b', app: 'x' }, true],
    ['labelSelector=tier%20notin%20(a%2Cb)', { tier: 'b' }, false],
    ['fieldSelector=spec.nodeName%3Dn1', {}, true],
    ['fieldSelector=spec.nodeName!%3Dn1', {}, false],
    ['fieldSelector=metadata.name%3Dp,spec.nodeName%3Dn1', {}, true],
  ])('%s on labels %j → %s', (query, labels, expected) => {
    expect(select(query).matches(pod(labels))).toBe(expected);
  });

  it('refuses a selector that does not parse with 400 BadRequest', () => {
    expect(() => select('labelSelector=a%20in%20b')).toThrow(/unable to parse requirement/);
  });
});

describe('strategic merge patch (apimachinery strategicpatch)', () => {
  const ds = { spec: { template: { spec: { containers: [{ name: 'a', image: 'a:1', args: ['x'], env: [{ name: 'E', value: '1' }] }, { name: 'b', image: 'b:1' }], tolerations: [{ operator: 'Exists' }] } } } };
  it.each([
    ['merges a container by name, keeps the other', { spec: { template: { spec: { containers: [{ name: 'a', image: 'a:2' }] } } } }, [{ name: 'a', image: 'a:2', args: ['x'], env: [{ name: 'E', value: '1' }] }, { name: 'b', image: 'b:1' }]],
    ['deletes a container with $patch: delete', { spec: { template: { spec: { containers: [{ name: 'b', $patch: 'delete' }] } } } }, [{ name: 'a', image: 'a:1', args: ['x'], env: [{ name: 'E', value: '1' }] }]],
    ['replaces an atomic list (args) and drops a field with null', { spec: { template: { spec: { containers: [{ name: 'a', args: ['y'], env: null }] } } } }, [{ name: 'a', image: 'a:1', args: ['y'] }, { name: 'b', image: 'b:1' }]],
    ['orders by $setElementOrder', { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } } } }, [{ name: 'b', image: 'b:1' }, { name: 'a', image: 'a:1', args: ['x'], env: [{ name: 'E', value: '1' }] }]],
  ])('%s', (_what, patch, containers) => {
    const out = strategicMergePatch(ds, JSON.parse(JSON.stringify(patch)));
    expect((out as typeof ds).spec.template.spec.containers).toEqual(containers);
    expect((out as typeof ds).spec.template.spec.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  it('adds the rollout restart annotation to the pod template', () => {
    const out = strategicMergePatch(ds, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 'now' } } } } });
    expect(out).toMatchObject({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 'now' } }, spec: { containers: [{ name: 'a' }, { name: 'b' }] } } } });
  });

  it('refuses an element of a merging list without its merge key', () => {
    expect(() => strategicMergePatch(ds, { spec: { template: { spec: { containers: [{ image: 'x' }] } } } })).toThrow(/does not contain declared merge key: name/);
  });
});

describe('server-side printing (printers.go) and Table negotiation', () => {
  it.each([
    [0, '0s'], [119_000, '119s'], [125_000, '2m5s'], [600_000, '10m'], [3 * 3_600_000 + 60_000, '3h1m'], [10 * 3_600_000, '10h'], [50 * 3_600_000, '2d2h'], [800 * 86_400_000, '2y70d'],
  ])('HumanDuration(%d ms) = %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('asks for a Table only with the meta.k8s.io/v1 parameters', () => {
    expect(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json')).toBe(true);
    expect(wantsTable('application/json')).toBe(false);
  });

  it('prints a node as kubectl get nodes -o wide shows it', () => {
    const now = new Date('2026-12-06T10:00:00Z');
    const node = {
      metadata: { name: 'master1', creationTimestamp: '2026-12-06T09:55:00Z', labels: { 'node-role.kubernetes.io/control-plane': '' } },
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '192.0.2.21' }], nodeInfo: { kubeletVersion: 'v1.33.2', containerRuntimeVersion: 'containerd://1.6.20', osImage: 'Rocky Linux 9', kernelVersion: '6.1' } },
    };
    const table = toTable('nodes', [node], { resourceVersion: '7' }, null, now) as { columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[]; object: { kind: string } }[] };
    expect(table.columnDefinitions.map((c) => `${c.name}/${c.priority}`)).toEqual(['Name/0', 'Status/0', 'Roles/0', 'Age/0', 'Version/0', 'Internal-IP/1', 'External-IP/1', 'OS-Image/1', 'Kernel-Version/1', 'Container-Runtime/1']);
    expect(table.rows[0]?.cells).toEqual(['master1', 'Ready,SchedulingDisabled', 'control-plane', '5m', 'v1.33.2', '192.0.2.21', '<none>', 'Rocky Linux 9', '6.1', 'containerd://1.6.20']);
    expect(table.rows[0]?.object.kind).toBe('PartialObjectMetadata');
  });

  it('prints a pod whose container waits with the waiting reason', () => {
    const p = { metadata: { name: 'x' }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Pending', containerStatuses: [{ ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] } };
    expect((toTable('pods', [p], {}, 'None', new Date()) as { rows: { cells: unknown[] }[] }).rows[0]?.cells.slice(0, 4)).toEqual(['x', '0/1', 'ContainerCreating', '0']);
  });
});

describe('discovery, OpenAPI v3 and field validation', () => {
  it('lists pods with short name, verbs and the status subresource', () => {
    const list = apiResourceList('', 'v1') as { resources: { name: string; shortNames?: string[]; verbs: string[] }[] };
    expect(list.resources.find((r) => r.name === 'pods')).toMatchObject({ shortNames: ['po'], verbs: expect.arrayContaining(['watch', 'patch']) as unknown });
    expect(list.resources.some((r) => r.name === 'pods/status')).toBe(true);
    expect(apiResourceList('nope.example.com', 'v1')).toBeUndefined();
  });

  it('lists the fieldValidation parameter on every kind\'s PATCH (what kubectl checks before server-side validation)', () => {
    const root = openApiV3('/openapi/v3') as { paths: Record<string, { serverRelativeURL: string }> };
    expect(root.paths['apis/apps/v1']?.serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]+$/);
    const apps = openApiV3('/openapi/v3/apis/apps/v1') as { paths: Record<string, { patch: { parameters: { name: string; in: string }[]; 'x-kubernetes-group-version-kind': unknown } }> };
    const ds = apps.paths['/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}'];
    expect(ds?.patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'DaemonSet' });
    expect(ds?.patch.parameters).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query' }));
  });

  it('Strict refuses unknown fields, Warn reports them, Ignore passes', () => {
    const cm = resourceByRest('', 'configmaps');
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', bogus: 1 }, data: {}, extra: 1 };
    expect(() => validateFields(cm, obj, 'Strict', 'creating')).toThrow('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "extra", unknown field "metadata.bogus"');
    expect(validateFields(cm, obj, 'Warn', 'creating')).toEqual(['unknown field "extra"', 'unknown field "metadata.bogus"']);
    expect(validateFields(cm, obj, 'Ignore', 'creating')).toEqual([]);
    expect(() => validateFields(cm, obj, 'Loose', 'creating')).toThrow(/must be one of/);
  });
});

/** protobuf wire encoding of a length-delimited field, enough to build typed-client bodies. */
function lenField(no: number, body: Buffer | string): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return Buffer.concat([Buffer.from([(no << 3) | 2, bytes.length]), bytes]);
}

describe('protobuf request bodies of kubectl\'s typed clients', () => {
  const envelope = (apiVersion: string, kind: string, raw: Buffer) => Buffer.concat([Buffer.from('k8s\0', 'latin1'), lenField(1, Buffer.concat([lenField(1, apiVersion), lenField(2, kind)])), lenField(2, raw)]);

  it('decodes DeleteOptions (grace period, propagation policy, preconditions)', () => {
    const raw = Buffer.concat([Buffer.from([1 << 3, 30]), lenField(2, lenField(1, 'uid-1')), lenField(4, 'Foreground')]);
    expect(JSON.parse(protobufToJson(envelope('meta.k8s.io/v1', 'DeleteOptions', raw)))).toEqual({ kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', gracePeriodSeconds: 30, preconditions: { uid: 'uid-1' }, propagationPolicy: 'Foreground' });
  });

  it('decodes a policy/v1 Eviction and a ConfigMap', () => {
    const eviction = Buffer.concat([lenField(1, Buffer.concat([lenField(1, 'coredns-1'), lenField(3, 'kube-system')]))]);
    expect(JSON.parse(protobufToJson(envelope('policy/v1', 'Eviction', eviction)))).toEqual({ kind: 'Eviction', apiVersion: 'policy/v1', metadata: { name: 'coredns-1', namespace: 'kube-system' } });
    const cm = Buffer.concat([lenField(1, lenField(1, 'c1')), lenField(2, Buffer.concat([lenField(1, 'a'), lenField(2, 'b')]))]);
    expect(JSON.parse(protobufToJson(envelope('v1', 'ConfigMap', cm)))).toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c1' }, data: { a: 'b' } });
  });

  it('answers 415 for a kind it cannot decode and 400 without the k8s prefix', () => {
    expect(() => protobufToJson(envelope('apps/v1', 'Deployment', Buffer.alloc(0)))).toThrow(/does not decode Deployment from protobuf/);
    expect(() => protobufToJson(Buffer.from('{}'))).toThrow(/missing the "k8s\\0" prefix/);
  });
});

describe('which kubectl the lab installs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-client-'));
  for (const minor of [28, 29, 30, 33]) fs.writeFileSync(path.join(dir, `kubectl.1.${minor}`), '');

  it.each([
    [33, 'kubectl.1.33'], [34, 'kubectl.1.33'], [31, 'kubectl.1.30'], [32, 'kubectl.1.33'], [29, 'kubectl.1.29'], [28, 'kubectl.1.29'], [36, undefined],
  ])('cluster 1.%d → %s (exact, else newer, else older; never one the lab cannot serve)', (minor, file) => {
    expect(realKubectlFor(minor, dir)).toBe(file === undefined ? undefined : path.join(dir, file));
  });

  it('follows KUMI_LAB_KUBECTL recorded at lab build, and refuses an unknown mode', () => {
    const packages = fs.mkdtempSync(path.join(os.tmpdir(), 'packages-'));
    recordKubectlMode(packages, undefined);
    expect(kubectlBinary(packages, '1.34.2-1.1', '/lab/bin/kubectl', dir)).toBe(path.join(dir, 'kubectl.1.33'));
    expect(kubectlBinary(packages, '1.36.0-150500.1.1', '/lab/bin/kubectl', dir)).toBe('/lab/bin/kubectl');
    recordKubectlMode(packages, 'standin');
    expect(kubectlBinary(packages, '1.34.2-1.1', '/lab/bin/kubectl', dir)).toBe('/lab/bin/kubectl');
    expect(() => kubectlMode('yes')).toThrow('KUMI_LAB_KUBECTL=yes is not a kubectl mode');
  });
});
