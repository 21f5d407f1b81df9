import { describe, expect, it } from 'vitest';
import { parseEnvironmentFile, parseEnvironmentValue, parseExecLine } from './exec-line';

describe('systemd exec lines', () => {
  const env = { CONFIG: '/etc/haproxy/haproxy.cfg', EXTRAOPTS: '-S /run/haproxy-master.sock', EMPTY: '' };

  it('splits a bare $VAR into words and keeps ${VAR} inside one word', () => {
    expect(parseExecLine('/usr/sbin/haproxy -Ws -f $CONFIG $EXTRAOPTS $EMPTY --x=${CONFIG}', env, {}).argv).toEqual([
      '/usr/sbin/haproxy',
      '-Ws',
      '-f',
      '/etc/haproxy/haproxy.cfg',
      '-S',
      '/run/haproxy-master.sock',
      '--x=/etc/haproxy/haproxy.cfg',
    ]);
  });

  it('honours the "-" prefix, quotes and specifiers', () => {
    const line = parseExecLine('-/bin/echo "a b" \'c\' %n %%', {}, { n: 'demo.service' });
    expect(line).toEqual({ argv: ['/bin/echo', 'a b', 'c', 'demo.service', '%'], ignoreFailure: true });
  });

  it('reads Environment= assignments and EnvironmentFile text', () => {
    expect(parseEnvironmentValue('"CONFIG=/a b" PIDFILE=/run/x.pid')).toEqual({ CONFIG: '/a b', PIDFILE: '/run/x.pid' });
    expect(parseEnvironmentFile('# c\nKUBELET_KUBEADM_ARGS="--node-ip=192.0.2.21 --pod-infra-container-image=pause"\nexport X=1\n')).toEqual({
      KUBELET_KUBEADM_ARGS: '--node-ip=192.0.2.21 --pod-infra-container-image=pause',
      X: '1',
    });
  });

  it('refuses an empty command', () => {
    expect(() => parseExecLine('$EMPTY', env, {})).toThrow(/empty command/);
  });
});
