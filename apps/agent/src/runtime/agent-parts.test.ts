import { setImmediate as nextTurn } from 'node:timers/promises';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluatePart, partAssetKey } from './agent-parts';

// What reflect-metadata does on load: methods on the global Reflect, and a registry behind
// a non-configurable symbol that nothing can delete afterwards.
const REFLECT_POLYFILL = `
  const registry = new Map();
  Object.defineProperty(Reflect, Symbol.for('kumi-test:registry'), { value: registry, configurable: false });
  Reflect.defineTestMetadata = (key, value) => {
    registry.set(key, value);
    return exports; // what the polyfill's code can reach stays alive with it
  };
  exports.defineTestMetadata = (key, value) => Reflect.defineTestMetadata(key, value);
`;

const realReflect = Reflect;

afterEach(() => {
  // A failing test must not leave a stand-in Reflect behind for the next one.
  globalThis.Reflect = realReflect;
});

/** A full garbage collection (V8's gc, exposed for this process at run time). */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('evaluatePart', () => {
  it('runs CommonJS source that requires Node built-ins and returns its exports', () => {
    const part = evaluatePart<{ joined: string }>("exports.joined = require('node:path').join('a', 'b');", 'part-a.cjs', false);
    expect(part.exports.joined).toBe('a/b');
  });

  it('gives a part its own Reflect while loaded, with every standard method, and takes it back on release', () => {
    const part = evaluatePart<{ defineTestMetadata: (key: string, value: number) => void }>(REFLECT_POLYFILL, 'part-b.cjs', true);
    expect(globalThis.Reflect).not.toBe(realReflect);
    expect(Reflect.ownKeys({ a: 1 })).toEqual(['a']);
    part.exports.defineTestMetadata('k', 1);

    part.release();
    expect(globalThis.Reflect).toBe(realReflect);
    expect('defineTestMetadata' in realReflect).toBe(false);
    expect(Object.getOwnPropertySymbols(realReflect)).not.toContain(Symbol.for('kumi-test:registry'));
  });

  it('removes the globals a part added, and only those', () => {
    const globals = globalThis as Record<string, unknown>;
    globals.kumiTestExisting = 'kept';
    const part = evaluatePart("globalThis.kumiTestAdded = 1; globalThis.kumiTestExisting = 'changed';", 'part-c.cjs', false);
    expect(globals.kumiTestAdded).toBe(1);
    part.release();
    expect('kumiTestAdded' in globals).toBe(false);
    expect(globals.kumiTestExisting).toBe('changed');
    delete globals.kumiTestExisting;
  });

  it('puts the global Reflect and added globals back when the source does not compile or throws', () => {
    expect(() => evaluatePart('exports.a = ;', 'part-d.cjs', true)).toThrow(SyntaxError);
    expect(globalThis.Reflect).toBe(realReflect);
    expect(() => evaluatePart("globalThis.kumiTestHalfLoaded = 1; throw new Error('part failed')", 'part-e.cjs', true)).toThrow('part failed');
    expect(globalThis.Reflect).toBe(realReflect);
    expect('kumiTestHalfLoaded' in globalThis).toBe(false);
  });

  it('keeps overlapping parts apart: releasing one neither restores nor removes what the other set', () => {
    const own = evaluatePart<object>(REFLECT_POLYFILL, 'part-h.cjs', true);
    const other = evaluatePart<object>('globalThis.kumiTestOther = 1;', 'part-i.cjs', false);
    expect(own.release()).toEqual([]);
    expect(globalThis.Reflect).toBe(realReflect);
    expect((globalThis as Record<string, unknown>).kumiTestOther).toBe(1);
    expect(other.release()).toEqual([]);
    expect(globalThis.Reflect).toBe(realReflect);
    expect('kumiTestOther' in globalThis).toBe(false);
  });

  it('names the globals it could not take back', () => {
    const part = evaluatePart("Object.defineProperty(globalThis, Symbol.for('kumi-test:stuck'), { value: {}, configurable: false });", 'part-j.cjs', false);
    expect(part.release()).toEqual([Symbol.for('kumi-test:stuck')]);
  });

  it('lets a released part be collected, which a polyfill on the real Reflect would prevent', async () => {
    const releasedRef = loadAndRelease(REFLECT_POLYFILL, 'part-f.cjs', true);
    // The same part given the real Reflect: its registry can never be deleted again.
    const pinnedRef = loadAndRelease(REFLECT_POLYFILL.replaceAll('kumi-test:registry', 'kumi-test:pinned').replaceAll('TestMetadata', 'PinnedMetadata'), 'part-g.cjs', false);

    await nextTurn(); // WeakRef targets are kept alive until the current job ends
    collectGarbage();
    expect(releasedRef.deref()).toBeUndefined();
    expect(pinnedRef.deref()).toBeDefined();
    expect(Object.getOwnPropertySymbols(realReflect)).toContain(Symbol.for('kumi-test:pinned'));
  });
});

/** Loads a part, releases it and keeps only a weak reference to its exports. */
function loadAndRelease(source: string, filename: string, ownReflect: boolean): WeakRef<object> {
  const part = evaluatePart<object>(source, filename, ownReflect);
  part.release();
  return new WeakRef(part.exports);
}

describe('partAssetKey', () => {
  it('names the asset of each part', () => {
    expect(partAssetKey('steps')).toBe('parts/steps.cjs');
  });
});
