import { createRequire } from 'node:module';
import { getAsset } from 'node:sea';
import { compileFunction } from 'node:vm';

/**
 * Set to `true` by the single-executable build (esbuild `define`), absent everywhere
 * else. Call sites test it with `typeof` so that esbuild drops the source import of a part
 * from the executable's main script and only the asset remains.
 */
declare global {
  const KUMI_AGENT_PARTS_ARE_ASSETS: boolean | undefined;
}

/**
 * Code the agent needs only now and then, shipped as separate scripts in the SEA blob's
 * assets instead of in its main script:
 * - `config`: reading and validating agent.yaml (yaml, zod), once at start-up;
 * - `steps`: the step catalogue and its executor (every step's schemas, execa, renderers);
 * - `csr`: key and CSR making for enrollment (@peculiar/x509, asn1, tsyringe).
 * The main script of a single executable is copied whole into the V8 heap at start and
 * its pages stay resident; a part costs nothing until it is loaded, and once the agent
 * drops its exports the part (source, compiled code, module objects) is garbage.
 */
export type AgentPart = 'config' | 'steps' | 'csr';

/** The asset key of a part inside the SEA blob. */
export function partAssetKey(part: AgentPart): string {
  return `parts/${part}.cjs`;
}

/**
 * Parts that get a Reflect of their own for as long as they are loaded: an object that
 * inherits every standard Reflect method, put in the global `Reflect`'s place. `csr`
 * needs it because reflect-metadata (required by tsyringe, under @peculiar/x509) installs
 * its polyfill on the global Reflect with a non-configurable registry that could never be
 * taken back, and that would keep the whole part alive for the agent's lifetime.
 */
const OWN_REFLECT: Readonly<Record<AgentPart, boolean>> = { config: false, steps: false, csr: true };

/** A loaded part: its exports, and the way to let go of it. */
export interface LoadedPart<T> {
  exports: T;
  /**
   * Takes back what the part added to the globals while it loaded: the Reflect it was given
   * (see OWN_REFLECT) and the properties it added to globalThis. Functions left there would
   * keep the part's source and code alive after the agent has dropped its exports. Returns
   * the globals it could not take back (non-configurable ones); none is expected. Call once
   * nothing of the part runs any more.
   */
  release(): (string | symbol)[];
}

/** A part imported from source (tests, tsx, the plain bundle): nothing to take back. */
export function partFromSource<T>(exports: T): LoadedPart<T> {
  return { exports, release: () => [] };
}

/**
 * Compiles and runs one part from the executable's assets. Each call evaluates the part
 * afresh; the caller keeps the result as long as it needs it, then calls `release`.
 */
export function loadPartFromAssets<T>(part: AgentPart): LoadedPart<T> {
  return evaluatePart<T>(getAsset(partAssetKey(part), 'utf8'), `${process.execPath}#${partAssetKey(part)}`, OWN_REFLECT[part]);
}

/**
 * Runs a part's source: a self-contained CommonJS bundle that requires only Node
 * built-ins. With `ownReflect`, the part finds a fresh Reflect in the global's place
 * until it is released.
 */
export function evaluatePart<T>(source: string, filename: string, ownReflect: boolean): LoadedPart<T> {
  const globalsBefore = new Set(Reflect.ownKeys(globalThis));
  const previousReflect = globalThis.Reflect;
  const ownedReflect = ownReflect ? (Object.create(previousReflect) as typeof Reflect) : undefined;
  if (ownedReflect) globalThis.Reflect = ownedReflect;
  // What the part added while it was evaluated; computed then, so that a later part's
  // globals are never taken for this one's.
  const takeBack = (added: (string | symbol)[]) => (): (string | symbol)[] => {
    // Only our own stand-in is put back: another part's may have been installed since.
    if (ownedReflect && globalThis.Reflect === ownedReflect) globalThis.Reflect = previousReflect;
    return added.filter((key) => !previousReflect.deleteProperty(globalThis, key));
  };
  const addedGlobals = () => previousReflect.ownKeys(globalThis).filter((key) => !globalsBefore.has(key));
  const module = { exports: {} as T };
  try {
    const run = compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], { filename });
    run(module.exports, createRequire(process.execPath), module, filename, '/');
  } catch (error) {
    takeBack(addedGlobals())();
    throw error;
  }
  return { exports: module.exports, release: takeBack(addedGlobals()) };
}
