import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as ConfigPart from '../../src/config/config-part';
import type * as CsrPart from '../../src/enroll/csr-part';
import { evaluatePart, partAssetKey, type AgentPart } from '../../src/runtime/agent-parts';
import type * as StepLibrary from '../../src/session/step-library';
// As main.ts does: the main script owns signal-exit's process-wide emitter (see the file).
import '../../src/runtime/exit-emitter';
import { bundleAgent, type AgentBundle } from '../../package/bundle-agent';
import { REPO_ROOT } from '../integration/support/bundles';

let base: string;
let bundle: AgentBundle;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'kumi-parts-'));
  bundle = await bundleAgent(REPO_ROOT, base);
}, 120_000);

afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

/** Evaluates a part's real bundle the way the single executable does (outside one). */
async function load<T>(part: AgentPart, ownReflect = false) {
  const file = bundle.assets[partAssetKey(part)] as string;
  return evaluatePart<T>(await readFile(file, 'utf8'), file, ownReflect);
}

describe('the agent bundle for the single executable', () => {
  it('keeps each part out of the main script', async () => {
    const main = await readFile(bundle.main, 'utf8');
    expect(Object.keys(bundle.assets).sort()).toEqual(['parts/config.cjs', 'parts/csr.cjs', 'parts/steps.cjs']);
    // One marker per part: a string only that part's code holds.
    expect(main).not.toContain('tsyringe requires a reflect polyfill'); // csr: @peculiar/x509
    expect(main).not.toContain('YAMLParseError'); // config: yaml
    expect(main).not.toContain('unrecognized_keys'); // config, steps: zod
    expect(main).not.toContain('kubeadm.join'); // steps: the catalogue
    expect(main.length).toBeLessThan(1_200_000);
  });

  it('config: reads a cloud-init style agent.yaml, and refuses a bad one with a plain message', async () => {
    const part = await load<typeof ConfigPart>('config');
    const good = join(base, 'agent.yaml');
    await writeFile(good, 'coordinator: "192.0.2.10:7443"\ncaPin: "sha256:' + 'a'.repeat(64) + '"\nhostName: "worker1"\n', { mode: 0o600 });
    const outcome = await part.exports.readAgentConfig({ config: good });
    expect(outcome).toMatchObject({ ok: true, config: { coordinator: '192.0.2.10:7443', hostName: 'worker1', stateDir: '/var/lib/kumi' } });

    const bad = join(base, 'bad.yaml');
    await writeFile(bad, 'coordinator: "nowhere"\ncolor: blue\n', { mode: 0o600 });
    const refused = await part.exports.readAgentConfig({ config: bad });
    expect(refused.ok).toBe(false);
    expect(refused.ok ? '' : refused.message).toMatch(/unknown key\(s\) "color"/);
    expect(part.release()).toEqual([]);
  });

  it('csr: makes a key and a CSR for the host, with a Reflect of its own that release takes back', async () => {
    const realReflect = globalThis.Reflect;
    const part = await load<typeof CsrPart>('csr', true);
    const { keyPem, csrPem } = await part.exports.createKeyAndCsr('worker1');
    expect(keyPem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(csrPem).toContain('-----BEGIN CERTIFICATE REQUEST-----');
    expect('getMetadata' in globalThis.Reflect).toBe(true);
    expect(part.release()).toEqual([]);
    expect(globalThis.Reflect).toBe(realReflect);
    expect('getMetadata' in realReflect).toBe(false);
  });

  it('steps: finds the steps of the catalogue', async () => {
    const part = await load<typeof StepLibrary>('steps');
    const step = part.exports.findStep('sysctl.kubernetes');
    expect(step?.id).toBe('sysctl.kubernetes');
    expect(part.exports.findStep('no.such-step')).toBeUndefined();
    // Nothing global is left to pin it: with signal-exit's emitter owned by the main script.
    expect(part.release()).toEqual([]);
  });
});
