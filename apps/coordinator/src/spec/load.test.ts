import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSpecText, SpecError, specJsonSchema, topologyOf } from './index';
import { formatSpecPath } from './problems';

const seedPath = fileURLToPath(new URL('../../../../examples/seed-ha.yaml', import.meta.url));
const schemaPath = fileURLToPath(new URL('../../../../examples/kumi-cluster.schema.json', import.meta.url));
const seed = await readFile(seedPath, 'utf8');

function problemsOf(text: string) {
  try {
    return { warnings: parseSpecText(text, 'test.yaml').warnings, errors: [] };
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    return {
      warnings: error.problems.filter((p) => p.severity === 'warning'),
      errors: error.problems.filter((p) => p.severity === 'error'),
    };
  }
}

describe('loading a cluster spec', () => {
  it('refuses an alias bomb as bad input, before any check runs', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [index, name] of ['b', 'c', 'd', 'e', 'f'].entries()) levels.push(`${name}: &${name} [${Array(9).fill(`*${'abcdef'[index]}`).join(', ')}]`);
    const bomb = `apiVersion: kumi.dev/v1alpha1\nkind: Cluster\nmetadata: { name: bomb }\n${levels.join('\n')}\n`;
    const { errors } = problemsOf(bomb);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/YAML aliases expand too far .*at most 100 alias uses/);
    expect(errors[0]?.fix).toMatch(/write the values out/);
  });

  it('accepts the seed cluster with no warnings and fills defaults', () => {
    const { spec, warnings } = parseSpecText(seed, 'seed-ha.yaml');
    expect(warnings).toEqual([]);
    expect(spec.spec.kubernetes.version).toBe('1.33.2');
    expect(spec.spec.preflight.ignore).toEqual([]);
    expect(spec.spec.join.tokenTtlMinutes).toBe(15);
    const topology = topologyOf(spec);
    expect(topology.loadBalancers.map((h) => h.name)).toEqual(['lb1', 'lb2']);
    expect(topology.controlPlanes.map((h) => h.name)).toEqual(['master1', 'master2', 'master3']);
    expect(topology.workers.map((h) => h.name)).toEqual(['worker1']);
    expect(topology.endpoint).toEqual({ host: '192.0.2.100', port: 6443 });
  });

  it('returns an even control-plane count as a warning, not an error', () => {
    const text = seed.replace(/ {4}- \{ name: master3.*\n/, '').replace('enabled: true', 'enabled: false');
    const { warnings, errors } = problemsOf(text);
    expect(errors).toEqual([]);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/2 control planes: etcd needs a majority/)]);
  });

  it('collects every problem instead of stopping at the first', () => {
    const text = seed
      .replace('name: master3,', 'name: master2,')
      .replace('podCIDR: 10.244.0.0/16', 'podCIDR: 10.96.0.0/16')
      .replace('virtualRouterId: 51', 'virtualRouterId: 51\n    colour: blue');
    const { errors } = problemsOf(text);
    // The schema problem (unknown field) stops the cross-field checks; fix it and the rest show.
    expect(errors.map((e) => formatSpecPath(e.path))).toEqual(['spec.loadBalancer.colour']);
    const second = problemsOf(text.replace('\n    colour: blue', ''));
    expect(second.errors.map((e) => formatSpecPath(e.path)).sort()).toEqual(['spec.hosts[4].name', 'spec.network.podCIDR']);
  });

  it('names line and column of YAML syntax errors', () => {
    expect(problemsOf('kind: Cluster\nmetadata:\n  name: x\n bad: y\n').errors).toEqual([
      expect.objectContaining({ line: 4, column: 1, message: expect.stringMatching(/^YAML syntax: All mapping items must start at the same column/) }),
    ]);
    expect(problemsOf('kind: Cluster\nkind: Other\n').errors).toEqual([
      expect.objectContaining({ line: 2, column: 1, message: expect.stringMatching(/keys must be unique/) }),
    ]);
  });

  it('points unknown fields at their own line and suggests the known name', () => {
    const { errors } = problemsOf(seed.replace('hostCIDR:', 'hostCidr:'));
    const line = seed.split('\n').findIndex((l) => l.includes('hostCIDR:')) + 1;
    expect(errors).toEqual([
      expect.objectContaining({ path: ['spec', 'network', 'hostCIDR'], message: 'missing required field' }),
      expect.objectContaining({ line, message: 'unknown field "hostCidr"', fix: expect.stringMatching(/did you mean "hostCIDR"/) }),
    ]);
  });

  it('reports a missing required field with what it is for', () => {
    const { errors } = problemsOf(seed.replace(/ {2}coordinator:\n {4}address: .*\n/, ''));
    expect(errors).toEqual([expect.objectContaining({ path: ['spec', 'coordinator'], message: 'missing required field' })]);
  });

  it('refuses an empty document and a document that is a list', () => {
    expect(problemsOf('').errors.length).toBeGreaterThan(0);
    expect(problemsOf('- a\n- b\n').errors[0]?.message).toMatch(/found a list/);
  });

  it('warns when the endpoint is one of several control planes (no load balancer)', () => {
    const text = seed
      .replace(/ {2}loadBalancer:\n( {4}.*\n)+/, '')
      .replace(/ {4}- \{ name: lb\d.*\n/g, '')
      .replace('controlPlaneEndpoint: 192.0.2.100:6443', 'controlPlaneEndpoint: 192.0.2.21:6443')
      .replace('enabled: true', 'enabled: false');
    const { errors, warnings } = problemsOf(text);
    expect(errors).toEqual([]);
    expect(warnings[0]?.message).toMatch(/the endpoint is control plane master1 itself/);
  });
});

describe('kumi schema', () => {
  it('describes the spec strictly, with defaults optional', () => {
    const schema = specJsonSchema() as { properties: { spec: { required: string[]; additionalProperties: boolean } } };
    expect(schema.properties.spec.additionalProperties).toBe(false);
    expect(schema.properties.spec.required).toEqual(expect.arrayContaining(['kubernetes', 'network', 'cni', 'coordinator', 'hosts']));
    expect(schema.properties.spec.required).not.toContain('runtime');
  });

  it('matches the committed examples/kumi-cluster.schema.json (regenerate with `kumi schema -o`)', async () => {
    expect(JSON.parse(await readFile(schemaPath, 'utf8'))).toEqual(specJsonSchema());
  });
});
