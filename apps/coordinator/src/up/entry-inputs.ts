import { Secret, type SecretBag } from '@kumi/steps';
import type { SecretBroker } from '../broker/secret-broker';
import { parseDuration } from '../cli/duration';
import type { Journal } from '../journal/journal';
import type { EntryInputs, EntryInputsProvider, EntryOutcome, PlanEntry, SecretName } from '../plan';
import type { AgentRegistry } from '../server/agent-registry';
import type { RevokeToken, TokenLedger } from './token-ledger';

const CA_HASH = /^sha256:[0-9a-f]{64}$/;

/** What the entry inputs provider reads. */
export interface EntryInputsDeps {
  broker: SecretBroker;
  journal: Journal;
  agents: AgentRegistry;
  /** Every host of the spec. */
  hosts: readonly string[];
  /** Journals token ids before their create, so a token-delete or a later run finds them. */
  ledger: TokenLedger;
  /**
   * The lanes of the plan being run (PlanEntry.lane). Open tokens of any other lane (one
   * this plan no longer has, or a record from an older kumi without a lane) are revoked
   * once, before this run makes its first token: no run of their own lane would.
   */
  lanes: ReadonlySet<string>;
  /** Deletes a token an earlier, crashed attempt of a lane left (kubeadm.token-delete). */
  revoke: RevokeToken;
  /** Reports leftovers that could not be revoked (they expire by their TTL). */
  warn(text: string): void;
}

/** A token id handed to a token-delete entry, remembered until it ended. */
interface Deleting {
  host: string;
  tokenId: string;
  lane: string;
}

/**
 * Hands entries their brokered secrets and runtime inputs right before they run, and
 * learns how they ended. Secrets live in memory only, per lane (PlanEntry.lane): the
 * entry that installs a secret (kubeadm.init, token-create, upload-certs) gets it minted
 * here, the lane's later entries (the join) get the same value; token ids go to the
 * ledger before the create, and a lane's token-delete gets its id from there.
 */
export function entryInputsProvider(deps: EntryInputsDeps): EntryInputsProvider {
  /** Secret values by lane, while the lane runs. */
  const laneSecrets = new Map<string, Partial<Record<SecretName, string>>>();
  /** Entries in flight that minted something, by path: what finish() records. */
  const minted = new Map<string, { certificateKey?: string; initTokenId?: string }>();
  const deleting = new Map<string, Deleting>();

  /** Revokes stray tokens (lanes outside the plan) once per run; every caller awaits the one pass. */
  let strays: Promise<void> | undefined;
  const revokeStrays = () =>
    (strays ??= (async () => {
      const stray = (lane: string) => lane === '' || !deps.lanes.has(lane);
      const problems = await deps.ledger.revokeOpenWhere(stray, deps.revoke);
      if (problems.length > 0) deps.warn(`could not revoke leftover tokens of lanes no longer in the plan (they expire by their TTL): ${problems.join('; ')}`);
    })());

  /** Before a lane makes a new token: revoke what an earlier (crashed) attempt left, and the strays. */
  const revokeEarlier = async (lane: string) => {
    await revokeStrays();
    const problems = await deps.ledger.revokeOpen(lane, deps.revoke);
    if (problems.length > 0) deps.warn(`could not revoke leftover tokens of ${lane} (they expire by their TTL): ${problems.join('; ')}`);
  };

  /** The value of one secret need of the entry: minted when the entry installs it. */
  const secretFor = async (entry: PlanEntry, name: SecretName, installs: boolean): Promise<string> => {
    const lane = entry.lane ?? entry.path;
    const values = laneSecrets.get(lane) ?? {};
    laneSecrets.set(lane, values);
    if (!installs) {
      const value = values[name];
      if (value === undefined) {
        throw new Error(`${entry.path} needs the ${name} its lane makes earlier in this run, and it was not made: run the whole lane (e.g. --only '${entry.stage}/*@${entry.host}')`);
      }
      return value;
    }
    if (name === 'certificateKey') {
      const renewBefore = entry.params.renewBefore;
      const key = deps.broker.certificateKeyForUpload(typeof renewBefore === 'string' ? parseDuration(renewBefore, `${entry.path} renewBefore`) : 0);
      minted.set(entry.path, { ...minted.get(entry.path), certificateKey: key });
      return (values.certificateKey = key);
    }
    await revokeEarlier(lane);
    const token = deps.broker.mintToken();
    // Journaled before the create: a create cut off after kubeadm made the token is revoked later.
    deps.ledger.created(entry.runOn ?? entry.host, token.id, lane);
    return (values.bootstrapToken = token.token);
  };

  return {
    async prepare(entry) {
      const secrets: Record<string, Secret> = {};
      if (entry.secrets.some((need) => need.mint.how === 'generate')) {
        const lane = entry.lane ?? entry.path;
        await revokeEarlier(lane);
        const init = deps.broker.forInit();
        for (const need of entry.secrets) if (need.mint.how === 'generate') secrets[need.name] = new Secret(init[need.name]);
        minted.set(entry.path, { initTokenId: init.tokenId });
        deps.ledger.created(entry.host, init.tokenId, lane);
      }
      for (const need of entry.secrets) {
        if (need.mint.how === 'lane') secrets[need.name] = new Secret(await secretFor(entry, need.name, need.mint.installedBy === entry.path));
      }
      const params: Record<string, unknown> = {};
      for (const input of entry.inputs) {
        if (input.source === 'ca-cert-hash') {
          const hash = latestCaCertHash(deps.journal);
          if (hash) params[input.param] = [hash];
        } else if (input.source === 'peer-identities') {
          params[input.param] = peerIdentities(deps, entry.host);
        } else if (input.source === 'lane-token-id') {
          const lane = entry.lane ?? entry.path;
          const token = deps.ledger.openIn(lane).at(-1);
          if (token === undefined) return { secrets: {}, params: {}, skip: `no token of ${lane} is left to delete (none was made, or it is deleted)` };
          deleting.set(entry.path, { host: token.host, tokenId: token.tokenId, lane });
          params[input.param] = token.tokenId;
        }
      }
      return { secrets: secrets as SecretBag, params } satisfies EntryInputs;
    },

    async finish(entry, outcome: EntryOutcome) {
      const made = minted.get(entry.path);
      minted.delete(entry.path);
      // Only an init that really ran uploaded the certificates under the minted key.
      if (made?.initTokenId !== undefined && outcome.status === 'done') deps.broker.initDone();
      // A NOOP init did not run kubeadm: the minted token was never created.
      if (made?.initTokenId !== undefined && outcome.status === 'noop') deps.ledger.revoked(entry.host, made.initTokenId);
      if (made?.certificateKey !== undefined && outcome.status === 'done') deps.broker.uploaded(made.certificateKey);
      const deleted = deleting.get(entry.path);
      deleting.delete(entry.path);
      if (deleted && (outcome.status === 'done' || outcome.status === 'noop')) {
        deps.ledger.revoked(deleted.host, deleted.tokenId);
        laneSecrets.delete(deleted.lane);
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
