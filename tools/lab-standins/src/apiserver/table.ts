import type { KubeCondition, KubeObject } from '../common/kube-object';

/**
 * Server-side printing: the meta.k8s.io/v1 Table kubectl asks for on `kubectl get` (Accept
 * `application/json;as=Table;v=v1;g=meta.k8s.io`). Columns and cells follow
 * kubernetes/pkg/printers/internalversion/printers.go (AddHandlers, printNode, printPod,
 * printNamespace, printConfigMap, printSecret, printDeployment, printDaemonSet); kinds
 * without a printer get k8s.io/apiserver's rest.DefaultTableConvertor (registry/rest/table.go:
 * Name, Created At). Priority-1 columns are what `-o wide` adds; the server always fills them
 * (the TableConvertor prints with Wide: true) and kubectl hides them.
 */

interface Column {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  readonly priority?: number;
}

interface Printer {
  readonly columns: readonly Column[];
  readonly cells: (obj: KubeObject, now: Date) => unknown[];
}

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration: the AGE column's format. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.trunc(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  const years = Math.trunc(hours / 24 / 365);
  if (hours < 24 * 365 * 8) return Math.trunc(hours / 24) % 365 === 0 ? `${years}y` : `${years}y${Math.trunc(hours / 24) % 365}d`;
  return `${years}y`;
}

/** printers.go translateTimestampSince. */
function age(obj: KubeObject, now: Date): string {
  const at = obj.metadata?.creationTimestamp;
  return at ? humanDuration(now.getTime() - Date.parse(at)) : '<unknown>';
}

const NAME: Column = { name: 'Name', type: 'string', format: 'name' };
const AGE: Column = { name: 'Age', type: 'string' };

function field<T>(obj: KubeObject, path: string): T | undefined {
  return path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj) as T | undefined;
}

/** printers.go findNodeRoles: node-role.kubernetes.io/ROLE labels and the kubernetes.io/role label. */
function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function nodeAddress(node: KubeObject, type: string): string {
  const addresses = field<{ type: string; address: string }[]>(node, 'status.addresses') ?? [];
  return addresses.find((a) => a.type === type)?.address ?? '<none>';
}

function printNode(node: KubeObject, now: Date): unknown[] {
  const ready = (field<KubeCondition[]>(node, 'status.conditions') ?? []).find((c) => c.type === 'Ready');
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (field<boolean>(node, 'spec.unschedulable') === true) status.push('SchedulingDisabled');
  const info = (k: string): string => field<string>(node, `status.nodeInfo.${k}`) || '<unknown>';
  return [node.metadata?.name, status.join(','), nodeRoles(node), age(node, now), field<string>(node, 'status.nodeInfo.kubeletVersion') ?? '', nodeAddress(node, 'InternalIP'), nodeAddress(node, 'ExternalIP'), info('osImage'), info('kernelVersion'), info('containerRuntimeVersion')];
}

interface ContainerStatus {
  restartCount?: number;
  ready?: boolean;
  state?: { waiting?: { reason?: string }; running?: unknown; terminated?: { reason?: string; signal?: number; exitCode?: number } };
}

/** printers.go printPod: READY is ready/total containers, STATUS the phase unless a container says why not. */
function printPod(pod: KubeObject, now: Date): unknown[] {
  const containers = field<unknown[]>(pod, 'spec.containers') ?? [];
  const statuses = field<ContainerStatus[]>(pod, 'status.containerStatuses') ?? [];
  let reason = field<string>(pod, 'status.reason') || field<string>(pod, 'status.phase') || '';
  let restarts = 0;
  let ready = 0;
  let running = false;
  for (const s of [...statuses].reverse()) {
    restarts += s.restartCount ?? 0;
    if (s.state?.waiting?.reason) reason = s.state.waiting.reason;
    else if (s.state?.terminated?.reason) reason = s.state.terminated.reason;
    else if (s.state?.terminated) reason = s.state.terminated.signal ? `Signal:${s.state.terminated.signal}` : `ExitCode:${s.state.terminated.exitCode ?? 0}`;
    else if (s.ready === true && s.state?.running !== undefined) {
      running = true;
      ready++;
    }
  }
  if (reason === 'Completed' && running) reason = (field<KubeCondition[]>(pod, 'status.conditions') ?? []).some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  if (pod.metadata?.deletionTimestamp !== undefined) reason = field<string>(pod, 'status.reason') === 'NodeLost' ? 'Unknown' : 'Terminating';
  const gates = field<unknown[]>(pod, 'spec.readinessGates') ?? [];
  return [pod.metadata?.name, `${ready}/${containers.length}`, reason, String(restarts), age(pod, now), field<string>(pod, 'status.podIP') || '<none>', field<string>(pod, 'spec.nodeName') || '<none>', field<string>(pod, 'status.nominatedNodeName') || '<none>', gates.length === 0 ? '<none>' : `0/${gates.length}`];
}

function countOf(obj: KubeObject, key: 'data' | 'binaryData'): number {
  return Object.keys((obj[key] ?? {}) as object).length;
}

const PRINTERS: Readonly<Record<string, Printer>> = {
  nodes: {
    columns: [NAME, { name: 'Status', type: 'string' }, { name: 'Roles', type: 'string' }, AGE, { name: 'Version', type: 'string' }, ...['Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime'].map((name) => ({ name, type: 'string', priority: 1 }))],
    cells: printNode,
  },
  pods: {
    columns: [NAME, { name: 'Ready', type: 'string' }, { name: 'Status', type: 'string' }, { name: 'Restarts', type: 'string' }, AGE, ...['IP', 'Node', 'Nominated Node', 'Readiness Gates'].map((name) => ({ name, type: 'string', priority: 1 }))],
    cells: printPod,
  },
  namespaces: { columns: [NAME, { name: 'Status', type: 'string' }, AGE], cells: (o, now) => [o.metadata?.name, field<string>(o, 'status.phase') ?? 'Active', age(o, now)] },
  configmaps: { columns: [NAME, { name: 'Data', type: 'integer' }, AGE], cells: (o, now) => [o.metadata?.name, countOf(o, 'data') + countOf(o, 'binaryData'), age(o, now)] },
  secrets: { columns: [NAME, { name: 'Type', type: 'string' }, { name: 'Data', type: 'string' }, AGE], cells: (o, now) => [o.metadata?.name, o.type ?? 'Opaque', countOf(o, 'data'), age(o, now)] },
  deployments: {
    columns: [NAME, { name: 'Ready', type: 'string' }, { name: 'Up-to-date', type: 'string' }, { name: 'Available', type: 'string' }, AGE, ...['Containers', 'Images', 'Selector'].map((name) => ({ name, type: 'string', priority: 1 }))],
    cells: (o, now) => {
      const n = (k: string): number => field<number>(o, `status.${k}`) ?? 0;
      return [o.metadata?.name, `${n('readyReplicas')}/${field<number>(o, 'spec.replicas') ?? 1}`, n('updatedReplicas'), n('availableReplicas'), age(o, now), ...containerColumns(o), selectorText(o)];
    },
  },
  daemonsets: {
    columns: [NAME, ...['Desired', 'Current', 'Ready', 'Up-to-date', 'Available'].map((name) => ({ name, type: 'integer' })), { name: 'Node Selector', type: 'string' }, AGE, ...['Containers', 'Images', 'Selector'].map((name) => ({ name, type: 'string', priority: 1 }))],
    cells: (o, now) => {
      const n = (k: string): number => field<number>(o, `status.${k}`) ?? 0;
      const nodeSelector = Object.entries(field<Record<string, string>>(o, 'spec.template.spec.nodeSelector') ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>';
      return [o.metadata?.name, n('desiredNumberScheduled'), n('currentNumberScheduled'), n('numberReady'), n('updatedNumberScheduled'), n('numberAvailable'), nodeSelector, age(o, now), ...containerColumns(o), selectorText(o)];
    },
  },
};

function containerColumns(o: KubeObject): string[] {
  const containers = field<{ name?: string; image?: string }[]>(o, 'spec.template.spec.containers') ?? [];
  return [containers.map((c) => c.name ?? '').join(','), containers.map((c) => c.image ?? '').join(',')];
}

function selectorText(o: KubeObject): string {
  const labels = field<Record<string, string>>(o, 'spec.selector.matchLabels') ?? {};
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') || '<none>';
}

/** DefaultTableConvertor's columns for kinds without a printer. */
const DEFAULT_PRINTER: Printer = {
  columns: [NAME, { name: 'Created At', type: 'date' }],
  cells: (o) => [o.metadata?.name, o.metadata?.creationTimestamp ?? ''],
};

/** True when the Accept header asks for a meta.k8s.io/v1 Table (kubectl get's human output). */
export function wantsTable(accept: string): boolean {
  return accept.split(',').some((part) => {
    const params = new Set(part.split(';').map((p) => p.trim()));
    return params.has('as=Table') && params.has('g=meta.k8s.io') && params.has('v=v1');
  });
}

/** The Content-Type of a Table answer. */
export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/**
 * Converts objects to a Table. `includeObject` is the query parameter: Metadata (the
 * default) puts a PartialObjectMetadata in each row, Object the whole object, None nothing.
 */
export function toTable(resource: string, objects: readonly KubeObject[], listMeta: Record<string, unknown>, includeObject: string | null, now: Date): KubeObject {
  const printer = PRINTERS[resource] ?? DEFAULT_PRINTER;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: printer.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: '', priority: c.priority ?? 0 })),
    rows: objects.map((obj) => {
      const row: Record<string, unknown> = { cells: printer.cells(obj, now) };
      if (includeObject === 'Object') row.object = obj;
      else if (includeObject !== 'None') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
      return row;
    }),
  };
}
