import { networkChecks } from './network-checks';
import type { SpecProblem } from './problems';
import type { ClusterSpec } from './schema';
import { hasRole, topologyOf } from './topology';

/** Port kube-apiserver listens on on every control plane. */
const API_SERVER_PORT = 6443;

type Check = (spec: ClusterSpec) => SpecProblem[];

function error(path: SpecProblem['path'], message: string, fix: string): SpecProblem {
  return { severity: 'error', path, message, fix };
}

function warning(path: SpecProblem['path'], message: string, fix: string): SpecProblem {
  return { severity: 'warning', path, message, fix };
}

const uniqueHosts: Check = (spec) => {
  const problems: SpecProblem[] = [];
  for (const field of ['name', 'address'] as const) {
    const first = new Map<string, number>();
    spec.spec.hosts.forEach((host, index) => {
      const seen = first.get(host[field]);
      if (seen === undefined) first.set(host[field], index);
      else {
        problems.push(
          error(['spec', 'hosts', index, field], `duplicate host ${field} "${host[field]}" (also spec.hosts[${seen}])`, `give every host its own ${field}`),
        );
      }
    });
  }
  return problems;
};

const roleRules: Check = (spec) => {
  const problems: SpecProblem[] = [];
  spec.spec.hosts.forEach((host, index) => {
    const rolesPath = ['spec', 'hosts', index, 'roles'];
    if (new Set(host.roles).size !== host.roles.length) {
      problems.push(error(rolesPath, `host ${host.name} lists a role twice`, 'list each role once'));
    }
    if (hasRole(host, 'control-plane') && hasRole(host, 'worker')) {
      problems.push(
        error(rolesPath, `host ${host.name} is both control-plane and worker`, 'give it one of the two roles: kumi keeps control planes tainted for workloads'),
      );
    }
  });
  const { controlPlanes, workers } = topologyOf(spec);
  if (controlPlanes.length === 0) {
    problems.push(error(['spec', 'hosts'], 'no host has the control-plane role', 'give one host (three for high availability) the role control-plane'));
  } else if (controlPlanes.length % 2 === 0) {
    problems.push(
      warning(
        ['spec', 'hosts'],
        `${controlPlanes.length} control planes: etcd needs a majority, so an even count tolerates no more failures than ${controlPlanes.length - 1}`,
        `use an odd number of control planes (e.g. ${controlPlanes.length + 1})`,
      ),
    );
  }
  if (workers.length === 0 && controlPlanes.length > 0) {
    problems.push(warning(['spec', 'hosts'], 'no host has the worker role: control planes are tainted, workloads will not be scheduled', 'add at least one worker'));
  }
  return problems;
};

const endpointAndLoadBalancer: Check = (spec) => {
  const problems: SpecProblem[] = [];
  const { hosts, loadBalancer } = spec.spec;
  const endpointPath = ['spec', 'kubernetes', 'controlPlaneEndpoint'];
  const { endpoint, controlPlanes } = topologyOf(spec);
  const lbRoleHosts = hosts.filter((host) => hasRole(host, 'loadbalancer'));
  const endpointHost = hosts.find((host) => host.address === endpoint.host);
  if (!loadBalancer) {
    if (lbRoleHosts.length > 0) {
      problems.push(
        error(['spec', 'loadBalancer'], `hosts ${lbRoleHosts.map((h) => h.name).join(', ')} have the loadbalancer role but spec.loadBalancer is missing`, 'add spec.loadBalancer (type: haproxy-keepalived, vip: ...)'),
      );
    } else if (!endpointHost) {
      problems.push(
        error(endpointPath, `the endpoint ${endpoint.host} is no host's address (a VIP) but no load balancer serves it`, 'add spec.loadBalancer and hosts with the loadbalancer role, or point the endpoint at the control plane'),
      );
    } else if (!hasRole(endpointHost, 'control-plane')) {
      problems.push(error(endpointPath, `the endpoint ${endpoint.host} is host ${endpointHost.name}, which is not a control plane`, 'point the endpoint at a control plane or a load balancer VIP'));
    } else if (controlPlanes.length > 1) {
      problems.push(
        warning(endpointPath, `the endpoint is control plane ${endpointHost.name} itself: the API becomes unreachable when it fails`, 'put a load balancer VIP in front of the control planes'),
      );
    }
    return problems;
  }
  if (endpoint.host !== loadBalancer.vip) {
    problems.push(error(endpointPath, `the endpoint address ${endpoint.host} is not the load balancer VIP ${loadBalancer.vip}`, `use ${loadBalancer.vip}:${endpoint.port || API_SERVER_PORT}`));
  }
  if (lbRoleHosts.length === 0) {
    problems.push(error(['spec', 'hosts'], 'spec.loadBalancer is set but no host has the loadbalancer role', 'give two hosts the role loadbalancer (one works, without failover)'));
  } else if (lbRoleHosts.length === 1) {
    problems.push(warning(['spec', 'hosts'], `only ${lbRoleHosts[0]?.name} is a load balancer: the VIP cannot move when it fails`, 'give a second host the role loadbalancer'));
  }
  (loadBalancer.hosts ?? []).forEach((name, index) => {
    const host = hosts.find((candidate) => candidate.name === name);
    if (!host) problems.push(error(['spec', 'loadBalancer', 'hosts', index], `no host is named "${name}"`, `use names from spec.hosts: ${hosts.map((h) => h.name).join(', ')}`));
    else if (!hasRole(host, 'loadbalancer')) problems.push(error(['spec', 'loadBalancer', 'hosts', index], `host ${name} does not have the loadbalancer role`, `add loadbalancer to the roles of ${name}`));
  });
  if (loadBalancer.hosts) {
    const missing = lbRoleHosts.filter((host) => !loadBalancer.hosts?.includes(host.name));
    if (missing.length > 0) {
      problems.push(error(['spec', 'loadBalancer', 'hosts'], `load balancers ${missing.map((h) => h.name).join(', ')} are missing from the list`, 'list every loadbalancer host, or drop spec.loadBalancer.hosts'));
    }
  }
  hosts.forEach((host, index) => {
    if (hasRole(host, 'loadbalancer') && hasRole(host, 'control-plane') && endpoint.port === API_SERVER_PORT) {
      problems.push(
        error(['spec', 'hosts', index, 'roles'], `host ${host.name} runs both HAProxy and kube-apiserver on port ${API_SERVER_PORT}`, 'use dedicated load balancer hosts, or another endpoint port such as 8443'),
      );
    }
  });
  return problems;
};

const drillRules: Check = (spec) => {
  const { drill } = spec.spec;
  if (!drill.enabled) return [];
  const { controlPlanes } = topologyOf(spec);
  const problems: SpecProblem[] = [];
  if (controlPlanes.length < 3) {
    problems.push(error(['spec', 'drill', 'enabled'], `the drill takes a control plane down, which ${controlPlanes.length} control plane(s) cannot survive (etcd loses quorum)`, 'use three control planes, or set drill.enabled: false'));
  }
  if (drill.target !== undefined && !controlPlanes.some((host) => host.name === drill.target)) {
    problems.push(error(['spec', 'drill', 'target'], `"${drill.target}" is not a control plane`, `use one of: ${controlPlanes.map((h) => h.name).join(', ') || '(none)'}`));
  }
  if (drill.enabled && !spec.spec.loadBalancer) {
    problems.push(error(['spec', 'drill', 'enabled'], 'the drill checks the API through the VIP, but there is no load balancer', 'add spec.loadBalancer, or set drill.enabled: false'));
  }
  return problems;
};

const runtimeRules: Check = (spec) => {
  const { runtime, docker } = spec.spec;
  if (runtime === 'docker' && !docker) {
    return [error(['spec', 'docker'], 'runtime is docker but spec.docker is missing', 'add spec.docker.criDockerd (version and package url + sha256), or use runtime: containerd')];
  }
  if (runtime !== 'docker' && docker) {
    return [error(['spec', 'docker'], `spec.docker is set but runtime is ${runtime}`, 'remove spec.docker, or set runtime: docker')];
  }
  return [];
};

const CHECKS: readonly Check[] = [uniqueHosts, roleRules, endpointAndLoadBalancer, networkChecks, runtimeRules, drillRules];

/** Every cross-field problem of a schema-valid spec: errors and warnings, all of them. */
export function semanticChecks(spec: ClusterSpec): SpecProblem[] {
  return CHECKS.flatMap((check) => check(spec));
}
