import { SlideError } from '../errors.js';

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/** `--name value`, `--name=value`, boolean `--name` (when listed in `booleans`) and one-letter `aliases` (`-p 3000`). */
export function parseArgs(argv: readonly string[], booleans: readonly string[], aliases: Record<string, string> = {}): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    const alias = /^-([a-zA-Z])$/.exec(arg)?.[1];
    if (alias && aliases[alias]) arg = `--${aliases[alias]}`;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (eq !== -1) flags.set(name, arg.slice(eq + 1));
    else if (booleans.includes(name)) flags.set(name, true);
    else {
      const value = argv[++i];
      if (value === undefined) throw new SlideError('invalid_argument', `--${name} needs a value.`);
      flags.set(name, value);
    }
  }
  return { positional, flags };
}

export function integerArg(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new SlideError('invalid_argument', `${name} must be a non-negative integer, not ${value === undefined ? 'missing' : `"${value}"`}.`);
  return Number(value);
}

/** A flag's value, else its environment variable, else undefined: every server flag has both, as in WSIStreamer. */
export function flagOrEnv(flags: Map<string, string | true>, name: string, env: string): string | undefined {
  const value = flags.get(name);
  if (typeof value === 'string') return value;
  if (value === true) return 'true';
  return process.env[env];
}
