import type { Command } from 'commander';

/** Shells `kumi completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;

/** One of COMPLETION_SHELLS. */
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** A command of the tree: its words from the root, subcommands and options. */
interface CommandNode {
  /** e.g. "" for kumi itself, "token create". */
  path: string;
  subcommands: { name: string; description: string }[];
  options: { flag: string; description: string; takesValue: boolean }[];
}

/** Every command of `program`, depth first, with its long options (and --help). */
function commandTree(program: Command): CommandNode[] {
  const nodes: CommandNode[] = [];
  const visit = (command: Command, path: string) => {
    const options = command.options
      .filter((option) => option.long !== undefined)
      .map((option) => ({ flag: option.long as string, description: option.description, takesValue: option.required || option.optional }));
    options.push({ flag: '--help', description: 'show help', takesValue: false });
    const children = command.commands.filter((child) => child.name() !== 'help');
    nodes.push({ path, subcommands: children.map((child) => ({ name: child.name(), description: child.description() })), options });
    for (const child of children) visit(child, path === '' ? child.name() : `${path} ${child.name()}`);
  };
  visit(program, '');
  return nodes;
}

/** A shell word that the shell reads back as exactly `text`. */
function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The words offered after the command at `node`: subcommands and long options. */
function words(node: CommandNode): string {
  return [...node.subcommands.map((sub) => sub.name), ...node.options.map((option) => option.flag)].join(' ');
}

/** Case patterns of the command paths (bash and zsh), e.g. `token|'token create'`. */
function pathPattern(nodes: CommandNode[]): string {
  return nodes
    .filter((node) => node.path !== '')
    .map((node) => quote(node.path))
    .join('|');
}

function bashScript(nodes: CommandNode[]): string {
  const cases = nodes.map((node) => `    ${node.path === '' ? "''" : quote(node.path)}) words=${quote(words(node))} ;;`).join('\n');
  return `# bash completion for kumi. Load it with: source <(kumi completion bash)
_kumi() {
  local cur=\${COMP_WORDS[COMP_CWORD]} path='' word i words=''
  # The command path: the words before the cursor that name a (sub)command.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    case "\${path:+$path }$word" in
      ${pathPattern(nodes)}) path="\${path:+$path }$word" ;;
    esac
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  # Spec files and folders where no command word fits.
  if [[ \${#COMPREPLY[@]} -eq 0 && $cur != -* ]]; then COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -o filenames -F _kumi kumi
`;
}

function zshScript(nodes: CommandNode[]): string {
  const cases = nodes.map((node) => `    (${node.path === '' ? "''" : quote(node.path)}) candidates=(${words(node)}) ;;`).join('\n');
  return `#compdef kumi
# zsh completion for kumi. Load it with: source <(kumi completion zsh)
# (or save it as _kumi in a folder of $fpath).
_kumi() {
  local path_words='' word i
  local -a candidates
  for ((i = 2; i < CURRENT; i++)); do
    word=\${words[i]}
    case "\${path_words:+$path_words }$word" in
      (${pathPattern(nodes)}) path_words="\${path_words:+$path_words }$word" ;;
    esac
  done
  case "$path_words" in
${cases}
  esac
  compadd -- \${candidates[@]}
  _files
}
if (( $+functions[compdef] )); then compdef _kumi kumi; fi
`;
}

function fishScript(nodes: CommandNode[]): string {
  const lines = ['# fish completion for kumi. Load it with: kumi completion fish | source', 'complete -c kumi -f'];
  for (const node of nodes) {
    const parts = node.path === '' ? [] : node.path.split(' ');
    // The words seen so far must be exactly this command's path.
    const condition = parts.length === 0 ? '__fish_use_subcommand' : parts.map((part) => `__fish_seen_subcommand_from ${part}`).join('; and ');
    for (const sub of node.subcommands) lines.push(`complete -c kumi -n ${quote(condition)} -a ${sub.name} -d ${quote(sub.description)}`);
    for (const option of node.options) {
      lines.push(`complete -c kumi -n ${quote(condition)} -l ${option.flag.slice(2)}${option.takesValue ? ' -r -F' : ''} -d ${quote(option.description)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The completion script of `shell` for every command, subcommand and long option of
 * `program` (made from the program itself, so it never goes stale). Positional
 * arguments complete as file names.
 */
export function completionScript(program: Command, shell: CompletionShell): string {
  const nodes = commandTree(program);
  if (shell === 'bash') return bashScript(nodes);
  if (shell === 'zsh') return zshScript(nodes);
  return fishScript(nodes);
}
