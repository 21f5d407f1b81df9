import { goYaml } from '../common/go-yaml';
import { KubeadmError } from './kubeadm-error';
import { shortHumanDuration, tabulate } from './output';
import { rfc3339 } from '../common/kube-object';
import type { TokenRow } from './tokens';

/** Output formats `kubeadm token list -o` accepts in the lab (kubeadm also has the template ones). */
export const TOKEN_LIST_FORMATS = ['text', 'json', 'yaml'] as const;

/** kubeadm's refusal of an output format it has no printer for. */
export function checkTokenListFormat(format: string): void {
  if (!(TOKEN_LIST_FORMATS as readonly string[]).includes(format)) {
    throw new KubeadmError(`could not construct output printer: unable to match a printer suitable for the output format "${format}", allowed formats are: ${TOKEN_LIST_FORMATS.join(',')}`);
  }
}

/**
 * One token as kubeadm's output API prints it (output.kubeadm.k8s.io/v1alpha3 BootstrapToken):
 * field order as Go marshals the struct, empty fields left out (omitempty).
 */
function outputToken(row: TokenRow): Record<string, unknown> {
  const token: Record<string, unknown> = { kind: 'BootstrapToken', apiVersion: 'output.kubeadm.k8s.io/v1alpha3', token: row.token };
  if (row.description) token.description = row.description;
  if (row.expires) token.expires = rfc3339(row.expires);
  if (row.usages.length > 0) token.usages = row.usages;
  if (row.groups.length > 0) token.groups = row.groups;
  return token;
}

/**
 * `kubeadm token list` output: the TOKEN/TTL/EXPIRES table, or one object per token for
 * `-o json` (Go's MarshalIndent with 4 spaces, one after the other) and `-o yaml` (one
 * document per token, keys sorted as sigs.k8s.io/yaml does). With no token kubeadm prints
 * nothing at all, not even the table header (it is written with the first token).
 */
export function renderTokenList(rows: readonly TokenRow[], format: string, now: Date): string {
  if (format === 'json') return rows.map((r) => `${JSON.stringify(outputToken(r), null, 4)}\n`).join('');
  if (format === 'yaml') return rows.map((r) => goYaml(outputToken(r))).join('---\n');
  checkTokenListFormat(format);
  if (rows.length === 0) return '';
  const table = [['TOKEN', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS']];
  for (const r of rows) {
    table.push([r.token, shortHumanDuration(r.expires ? r.expires.getTime() - now.getTime() : undefined), r.expires ? rfc3339(r.expires) : '<never>', r.usages.join(',') || '<none>', r.description || '<none>', r.groups.join(',') || '<none>']);
  }
  return tabulate(table);
}
