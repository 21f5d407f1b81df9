import { Secret, type SecretBag } from '@kumi/steps';
import type { JoinLease, SecretBroker } from '../broker/secret-broker';
import type { Journal } from '../journal/journal';
import type { EntryInputs, EntryInputsProvider, EntryOutcome, PlanEntry } from '../plan';
import type { AgentRegistry } from '../server/agent-registry';
import type { TokenLedger } from './token-ledger';

const CA_HASH = /^sha256:[0-9a-f]{64}$/;

/** What the entry inputs provider reads. */
export interface EntryInputsDeps {
  broker: SecretBroker;
  journal: Journal;
  agents: AgentRegistry;
  /** Control planes in spec order; the first ran kubeadm init. */
  controlPlanes: readonly string[];
  /** Every host of the spec. */
  hosts: readonly string[];
  /** Journals token ids so a later run can revoke what a crash left behind. */
  ledger: TokenLedger;
  /** Reports leftovers that could not be revoked (they expire by their TTL). */
  warn(text: string): void;
}

/**
 * Hands entries their brokered secrets and runtime inputs right before they run, and
 * cleans up right after: kubeadm init gets freshly minted secrets; each join gets a token
 * created just before it on a healthy control plane (and, for control planes, a fresh
 * enough certificate upload), deleted once the join ended whatever the outcome.
 */
export function entryInputsProvider(deps: EntryInputsDeps): EntryInputsProvider {
  const leases = new Map<string, JoinLease>();
  let leftoversChecked = false;
  /** Init entries in flight, with the public id of the token minted for them. */
  const initsInFlight = new Map<string, string>();

  /** Control planes that can answer kubectl now: cp1, then the joined ones, attached only. */
  const healthyCandidates = (joining: string): string[] =>
    deps.controlPlanes.filter(
      (host, index) =>
        host !== joining &&
        deps.agents.get(host) !== undefined &&
        (index === 0 || deps.journal.isDone('join-control-planes/kubeadm.join', host)),
    );

  const openJoin = async (entry: PlanEntry): Promise<JoinLease> => {
    const token = entry.secrets.find((need) => need.name === 'bootstrapToken');
    const certs = entry.secrets.find((need) => need.name === 'certificateKey');
    if (token?.mint.how !== 'step') throw new Error(`${entry.path} needs a bootstrap token made by a step, and the plan names none`);
    const candidates = healthyCandidates(entry.host);
    if (candidates.length === 0) {
      throw new Error(`no attached, initialised control plane to create ${entry.host}'s join token on (control planes: ${deps.controlPlanes.join(', ')}); check \`kumi agents\``);
    }
    if (!leftoversChecked) {
      // Before the first join of this run: revoke tokens an earlier (crashed) run left.
      leftoversChecked = true;
      const leftovers = await deps.ledger.revokeLeftovers(deps.broker, (host) => deps.agents.get(host) !== undefined);
      if (leftovers.length > 0) deps.warn(`could not revoke leftover join tokens (they expire by their TTL): ${leftovers.join('; ')}`);
    }
    const problems: string[] = [];
    for (const host of candidates) {
      try {
        const lease = await deps.broker.openJoin({
          role: certs ? 'control-plane' : 'worker',
          healthyControlPlane: host,
          tokenCreateParams: token.mint.params,
          ...(certs?.mint.how === 'step' ? { uploadCertsParams: certs.mint.params } : {}),
          // Journaled before the create: a create cut off after kubeadm made the token is revoked next run.
          onTokenMinted: (tokenId) => deps.ledger.created(host, tokenId, entry.path),
        });
        return lease;
      } catch (error) {
        problems.push(`${host}: ${(error as Error).message}`);
      }
    }
    throw new Error(`could not make ${entry.host}'s join secrets on any control plane (${problems.join('; ')})`);
  };

  return {
    async prepare(entry) {
      const secrets: Record<string, Secret> = {};
      if (entry.secrets.some((need) => need.mint.how === 'generate')) {
        const minted = deps.broker.forInit();
        for (const need of entry.secrets) if (need.mint.how === 'generate') secrets[need.name] = new Secret(minted[need.name]);
        initsInFlight.set(entry.path, minted.tokenId);
        deps.ledger.created(entry.host, minted.tokenId, entry.path);
      }
      if (entry.secrets.some((need) => need.mint.how === 'step')) {
        const lease = await openJoin(entry);
        leases.set(entry.path, lease);
        for (const [name, value] of Object.entries(lease.secrets)) if (value !== undefined) secrets[name] = new Secret(value);
      }
      const params: Record<string, unknown> = {};
      for (const input of entry.inputs) {
        if (input.source === 'ca-cert-hash') {
          const hash = latestCaCertHash(deps.journal);
          if (hash) params[input.param] = [hash];
        } else if (input.source === 'peer-identities') {
          params[input.param] = peerIdentities(deps, entry.host);
        }
      }
      return { secrets: secrets as SecretBag, params } satisfies EntryInputs;
    },

    async finish(entry, outcome: EntryOutcome) {
      // Only an init that really ran uploaded the certificates under the minted key (and
      // created the minted token, which no join uses: each gets its own).
      const initTokenId = initsInFlight.get(entry.path);
      initsInFlight.delete(entry.path);
      if (initTokenId !== undefined && outcome.status === 'done') {
        deps.broker.initDone();
        await deps.broker.revokeInitToken(entry.host, initTokenId);
        deps.ledger.revoked(entry.host, initTokenId);
      } else if (initTokenId !== undefined && outcome.status === 'noop') {
        // kubeadm did not run: the minted token was never created.
        deps.ledger.revoked(entry.host, initTokenId);
      }
      const lease = leases.get(entry.path);
      if (lease) {
        leases.delete(entry.path);
        await deps.broker.closeJoin(lease);
        deps.ledger.revoked(lease.createdOn, lease.tokenId);
      }
    },
  };
}

/** The cluster CA's discovery hash from the newest init or join result in the journal. */
export function latestCaCertHash(journal: Journal): string | undefined {
  const records = journal.current();
  for (let index = records.length - 1; index >= 0; index--) {
    const hash = records[index]?.outputs?.caCertHash;
    if (typeof hash === 'string' && CA_HASH.test(hash)) return hash;
  }
  return undefined;
}

function peerIdentities(deps: EntryInputsDeps, self: string) {
  return deps.hosts
    .filter((host) => host !== self)
    .flatMap((host) => {
      const facts = deps.agents.get(host)?.facts;
      if (!facts) return [];
      const macs = facts.interfaces.filter((nic) => !nic.virtual && nic.mac).map((nic) => nic.mac);
      return [{ hostName: facts.hostName || host, macs, productUuid: facts.productUuid }];
    });
}

