import { parseArgs as parseNodeArgs } from 'node:util';
import { SlideError } from '../errors.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  description: string;
  /** One-letter alias (`-p`). */
  short?: string;
  /** The environment variable read when the flag is absent (server flags, as in WSIStreamer). */
  env?: string;
  /** What the help prints as the default. */
  default?: string;
  /** Placeholder for the value in the help (`--out FILE`). */
  value?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Positional arguments as the usage line shows them. */
  args: string;
  flags: Record<string, FlagSpec>;
  example: string;
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

const HELP_FLAG: FlagSpec = { type: 'boolean', short: 'h', description: 'Show this help.' };

/** Edit distance, for "did you mean" on a mistyped flag. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

/** The known name closest to `name`, if it is close enough to be a typo. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Node's parseArgs errors say which flag they concern between quotes: turn them into ours, naming it and a fix. */
function usageError(spec: CommandSpec, cause: unknown): SlideError {
  const code = (cause as { code?: string }).code;
  const message = cause instanceof Error ? cause.message : String(cause);
  const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? '';
  const see = `Run wsi-stream ${spec.name} --help for its flags.`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const guess = nearest(flag.replace(/^-+/, ''), Object.keys(spec.flags));
    return new SlideError('invalid_argument', `${spec.name} has no flag ${flag}.${guess ? ` Did you mean --${guess}?` : ''} ${see}`, { cause });
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const needsValue = spec.flags[flag.replace(/^-+/, '')]?.type === 'string';
    return new SlideError('invalid_argument', needsValue ? `${flag} needs a value. ${see}` : `${flag} takes no value. ${see}`, { cause });
  }
  return new SlideError('invalid_argument', `${message} ${see}`, { cause });
}

/**
 * Parses one command's arguments strictly (Node's `util.parseArgs`): an unknown flag or a missing value is an
 * error naming the flag, never silently ignored. Returns 'help' for `--help`/`-h`.
 */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): ParsedArgs | 'help' {
  const options = Object.fromEntries(
    Object.entries({ ...spec.flags, help: HELP_FLAG }).map(([name, f]) => [name, { type: f.type, ...(f.short ? { short: f.short } : {}) }]),
  );
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (cause) {
    throw usageError(spec, cause);
  }
  if (parsed.values.help) return 'help';
  const flags = new Map<string, string | true>();
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string' || value === true) flags.set(name, value);
  }
  return { positional: parsed.positionals, flags };
}

/** `wsi-stream <command> --help`: usage, every flag with its value, environment variable and default, an example. */
export function commandHelp(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.flags, help: HELP_FLAG }).map(([name, f]) => {
    const left = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`;
    const extra = [f.env ? `env ${f.env}` : '', f.default !== undefined ? `default ${f.default}` : ''].filter(Boolean).join(', ');
    return [left, `${f.description}${extra ? ` (${extra})` : ''}`] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    `wsi-stream ${spec.name}: ${spec.summary}`,
    '',
    `usage: wsi-stream ${spec.name}${spec.args ? ` ${spec.args}` : ''} [flags]`,
    '',
    'flags:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    '',
    'example:',
    `  ${spec.example}`,
  ].join('\n');
}

/** Parses a command's arguments; for --help prints the command's help and returns undefined (exit 0). */
export function parseOrHelp(spec: CommandSpec, argv: readonly string[]): ParsedArgs | undefined {
  const parsed = parseCommand(spec, argv);
  if (parsed !== 'help') return parsed;
  process.stdout.write(`${commandHelp(spec)}\n`);
  return undefined;
}

export function integerArg(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d+$/.test(value))
    throw new SlideError('invalid_argument', `${name} must be a non-negative integer, not ${value === undefined ? 'missing' : `"${value}"`}.`);
  return Number(value);
}

/** A flag's value, else its environment variable, else undefined: every server flag has both, as in WSIStreamer. */
export function flagOrEnv(flags: Map<string, string | true>, name: string, env: string): string | undefined {
  const value = flags.get(name);
  if (typeof value === 'string') return value;
  if (value === true) return 'true';
  return process.env[env];
}
