import { afterEach, describe, expect, it, vi } from 'vitest';
import { requireRoot } from './require-root';

describe('requireRoot', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('refuses a non-root user and says why the lab needs root', () => {
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    expect(() => requireRoot('up')).toThrow(/kumi-lab up must run as root: it creates network namespaces.*Run it with sudo/);
  });

  it('lets root through', () => {
    vi.spyOn(process, 'getuid').mockReturnValue(0);
    expect(() => requireRoot('up')).not.toThrow();
  });
});
