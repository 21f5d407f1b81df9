/**
 * The plan is data: ordered stages of (host, step) entries with their parameters, a
 * concurrency rule per stage, named readiness conditions, and what each entry needs
 * from the secret broker. `kumi plan` prints it; the scheduler runs it.
 */

/** `kumi up`'s stage ids in the order they run: the one definition of that order (the crash tests derive theirs from it). */
export const UP_STAGE_IDS = [
  'attach',
  'preflight',
  'prepare',
  'endpoint',
  'init',
  'pod-network',
  'join-control-planes',
  'join-workers',
  'verify',
  'drill',
] as const;
/** One of UP_STAGE_IDS. */
export type UpStageId = (typeof UP_STAGE_IDS)[number];

/** `kumi reset`'s stage ids in the order they run: nodes first (workers, then control planes), load balancers last. */
export const RESET_STAGE_IDS = ['attach', 'reset-workers', 'reset-control-planes', 'reset-load-balancers'] as const;
/** One of RESET_STAGE_IDS. */
export type ResetStageId = (typeof RESET_STAGE_IDS)[number];

/** `kumi certs`'s stage ids: every control plane reads its certificates' expiry at once. */
export const CERTS_STAGE_IDS = ['attach', 'certs-check'] as const;
/** `kumi certs renew`'s stage ids: the control planes renew one at a time. */
export const CERTS_RENEW_STAGE_IDS = ['attach', 'renew-certs'] as const;
/** `kumi backup`'s stage ids: one healthy member takes the snapshot. */
export const BACKUP_STAGE_IDS = ['attach', 'snapshot'] as const;

/**
 * `kumi upgrade`'s stage ids in the order they run: the gate (kubeadm and kubeadm upgrade
 * plan on the first control plane), kubeadm on the other nodes, the first control plane
 * (kubeadm upgrade apply, its kubelet), the other control planes one at a time, then the
 * workers under the spec's cap.
 */
export const UPGRADE_STAGE_IDS = ['attach', 'upgrade-gate', 'upgrade-kubeadm', 'upgrade-first-control-plane', 'upgrade-control-planes', 'upgrade-workers'] as const;
/** One of UPGRADE_STAGE_IDS. */
export type UpgradeStageId = (typeof UPGRADE_STAGE_IDS)[number];

/**
 * `kumi remove`'s stages for each removed host, in order; a stage's id is `ID-HOST` (e.g.
 * `drain-worker2`), and the hosts are removed one after another (workers first).
 */
export const REMOVE_STAGE_IDS = ['drain', 'load-balancers', 'etcd-member', 'reset', 'delete-node'] as const;
/** One of REMOVE_STAGE_IDS. */
export type RemoveStageId = (typeof REMOVE_STAGE_IDS)[number];

/**
 * A stage id: one of a workflow's fixed ids (UP_STAGE_IDS, RESET_STAGE_IDS), or `run-N`
 * for the N-th step of a `kumi run` (one stage per step).
 */
export type StageId = string;

/** The workflows that are plans run by the one scheduler. */
export const WORKFLOWS = ['up', 'reset', 'run', 'remove', 'upgrade', 'certs', 'certs-renew', 'backup'] as const;
/** One of WORKFLOWS. */
export type Workflow = (typeof WORKFLOWS)[number];

/**
 * What the other hosts of a stage do once one host's entry failed (the failed host never
 * runs its later entries):
 * - `stop`: nothing new starts, entries in flight finish, the run ends after the stage;
 * - `finish-stage`: every other host still runs its entries, then the run ends (reset:
 *   one broken worker must not leave the others half reset);
 * - `drop-host`: every other host still runs its entries and the run goes on without the
 *   failed host (Ansible's linear strategy, for `kumi run`).
 */
export type AfterHostFailure = 'stop' | 'finish-stage' | 'drop-host';

/** How many hosts of a stage work at the same time. A host runs its entries in order. */
export type Concurrency = { kind: 'all' } | { kind: 'one-at-a-time' } | { kind: 'cap'; max: number };

/** What a readiness condition checks. */
export type ReadinessCheck =
  /** Every listed host has an attached agent. */
  | { kind: 'agents-attached'; hosts: string[] }
  /**
   * A read-only step run on `host` succeeds (e.g. net.wait-tcp for a port probe, or
   * verify with one check for API or etcd health). Not journaled.
   */
  | { kind: 'probe'; host: string; step: string; params: Record<string, unknown> };

/** A named condition the scheduler waits for; `waitsFor` says what, for progress lines. */
export interface Readiness {
  /** Stable within its stage, e.g. "api-healthy". */
  id: string;
  waitsFor: string;
  check: ReadinessCheck;
}

/** Names of the secrets the broker hands to steps. */
export type SecretName = 'bootstrapToken' | 'certificateKey';

/**
 * How a secret is made. `generate`: the coordinator mints it and the entry's own step
 * installs it (kubeadm init). `lane`: the coordinator mints it for a join lane (memory
 * only, never journaled) and the lane's entry `installedBy` puts it on the cluster
 * (kubeadm.token-create, kubeadm.upload-certs); the lane's later entries get the same value.
 */
export type SecretMint = { how: 'generate'; installedBy: string; lifetime: string } | { how: 'lane'; installedBy: string; when: string };

/** A brokered secret an entry needs. The value is never in the plan. */
export interface SecretNeed {
  name: SecretName;
  mint: SecretMint;
}

/** Where a runtime input comes from. */
export type InputSource =
  /** The cluster CA's discovery hash (kubeadm.init / token-create output "caCertHash"). */
  | 'ca-cert-hash'
  /** Host name, MACs and product_uuid of the other hosts, from their facts. */
  | 'peer-identities'
  /** The public id of the bootstrap token of the entry's lane, from the token ledger. */
  | 'lane-token-id';

/** A parameter only known while running, filled by the scheduler's input provider. */
export interface RuntimeInput {
  param: string;
  source: InputSource;
  /** A required input missing at run time fails the entry before it is sent. */
  required: boolean;
}

/** One step on one host. */
export interface PlanEntry {
  stage: StageId;
  host: string;
  step: string;
  /** `stage/step@host`: stable, for --only / --skip and the journal. */
  path: string;
  /** Parsed with the step's schema (defaults filled), runtime inputs excluded. */
  params: Record<string, unknown>;
  secrets: SecretNeed[];
  inputs: RuntimeInput[];
  /** Conditions checked right before this entry starts (e.g. etcd healthy before a join). */
  gates: Readiness[];
  /**
   * The host that runs the step when it is not `host` (e.g. a worker's drain runs on a
   * control plane, where kubectl has admin credentials). The entry stays in `host`'s lane
   * and journal.
   */
  runOn?: string;
  /**
   * Entries that only make sense together (a join with its token's create and delete):
   * --only / --skip keep or drop them as one, and resume reruns them as one.
   */
  lane?: string;
  /**
   * Runs even when an earlier entry of its host failed (deleting a join token after a
   * failed join), or the run was cancelled (within the scheduler's cleanup grace); the host
   * still counts as failed.
   */
  cleanup?: true;
}

/** One stage: its entries run under its concurrency rule, between its readiness conditions. */
export interface PlanStage {
  id: StageId;
  title: string;
  concurrency: Concurrency;
  /** Conditions that must hold before the stage starts. */
  before: Readiness[];
  /** Ordered by host lane: a host's entries run one after another. */
  entries: PlanEntry[];
  /** Conditions that close the stage. */
  after: Readiness[];
  /** What the other hosts do after one failed; `stop` when absent. */
  afterHostFailure?: AfterHostFailure;
}

/** A whole plan: stages in the order they run. */
export interface Plan {
  workflow: Workflow;
  cluster: string;
  stages: PlanStage[];
}
