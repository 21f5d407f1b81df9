/** How every keepalived configuration kumi writes begins (lb.keepalived removes only such a file). */
export const KEEPALIVED_CONFIG_HEADER = '! Written by kumi (step lb.keepalived)';

/** How the API check script kumi writes begins. */
export const CHECK_SCRIPT_HEADER = '#!/bin/sh\n# Written by kumi (step lb.keepalived)';

/** What the keepalived configuration is made of. */
export interface KeepalivedConfigInput {
  routerId: string;
  state: 'MASTER' | 'BACKUP';
  priority: number;
  virtualRouterId: number;
  interfaceName: string;
  /** The VIP with its prefix, e.g. "192.0.2.100/24". */
  vipCidr: string;
  authPass: string;
  checkScriptPath: string;
}

/**
 * keepalived configuration holding the VIP, as kubeadm's HA guide describes it: one VRRP
 * instance, the API check script lowering the priority by 2 when the API does not answer.
 */
export function renderKeepalivedConfig(input: KeepalivedConfigInput): string {
  return [
    `${KEEPALIVED_CONFIG_HEADER}: the virtual IP in front of the API servers.`,
    '! Local edits are replaced on the next run.',
    'global_defs {',
    `    router_id ${input.routerId}`,
    '    script_user root',
    '    enable_script_security',
    '}',
    '',
    'vrrp_script check_apiserver {',
    `    script "${input.checkScriptPath}"`,
    '    interval 3',
    '    weight -2',
    '    fall 10',
    '    rise 2',
    '}',
    '',
    'vrrp_instance VI_1 {',
    `    state ${input.state}`,
    `    interface ${input.interfaceName}`,
    `    virtual_router_id ${input.virtualRouterId}`,
    `    priority ${input.priority}`,
    '    advert_int 1',
    '    authentication {',
    '        auth_type PASS',
    `        auth_pass ${input.authPass}`,
    '    }',
    '    virtual_ipaddress {',
    `        ${input.vipCidr} dev ${input.interfaceName}`,
    '    }',
    '    track_script {',
    '        check_apiserver',
    '    }',
    '}',
    '',
  ].join('\n');
}

/**
 * The check keepalived runs every 3 s: the API must answer through this host's HAProxy,
 * and through the VIP while this host holds it.
 */
export function renderApiserverCheckScript(vip: string, port: number): string {
  return [
    '#!/bin/sh',
    '# Written by kumi (step lb.keepalived): keepalived health check of the API servers.',
    'fail() { echo "*** $*" >&2; exit 1; }',
    `curl -sfk --max-time 2 -o /dev/null https://localhost:${port}/healthz || fail "GET https://localhost:${port}/healthz failed"`,
    `if ip -o addr show | grep -qF ' ${vip}/'; then`,
    `  curl -sfk --max-time 2 -o /dev/null https://${vip}:${port}/healthz || fail "GET https://${vip}:${port}/healthz failed"`,
    'fi',
    '',
  ].join('\n');
}
