import type { EtcdMember } from '@kumi/steps';
import { describe, expect, it } from 'vitest';
import { etcdQuorumRefusal } from './run-remove';

const member = (name: string, healthy = true): EtcdMember => ({ id: name, name, clientUrls: [`https://${name}:2379`], healthy });

describe('the etcd quorum check of kumi remove', () => {
  it('lets healthy members go one after another, and skips members etcd no longer has', () => {
    expect(etcdQuorumRefusal([member('master1'), member('master2'), member('master3'), member('master4')], ['master3'])).toBeUndefined();
    expect(etcdQuorumRefusal([member('master1'), member('master2'), member('master3')], ['master2', 'master3'])).toBeUndefined();
    expect(etcdQuorumRefusal([member('master1'), member('master2')], ['master3'])).toBeUndefined();
  });

  it('refuses, with the fix, a removal that leaves the healthy members short of a majority', () => {
    expect(etcdQuorumRefusal([member('master1'), member('master2', false), member('master4')], ['master4'])).toBe(
      'removing master4 would lose etcd quorum: the 2 member(s) left would have 1 healthy, fewer than the 2 etcd needs for quorum (unhealthy: master2). Nothing was changed. Fix: bring the unhealthy members back (or add a control plane with `kumi up`) first, then remove master4.',
    );
    // The second of two removals is the one that breaks it.
    expect(etcdQuorumRefusal([member('master1'), member('master2'), member('master3', false), member('master4')], ['master4', 'master2'])).toMatch(/^removing master2 would lose etcd quorum: the 2 member\(s\) left would have 1 healthy/);
  });
});
