import { SlideError } from '../errors.js';
import { signUrl } from '../sidecar/signature.js';
import { parseOrHelp, type CommandSpec } from './args.js';

export const SIGN: CommandSpec = {
  name: 'sign',
  summary: 'Signs a sidecar URL with HMAC-SHA256, as WSIStreamer does, for servers started with --auth-enabled.',
  args: '',
  flags: {
    path: { type: 'string', value: '/ROUTE', description: 'The route as it will be requested, e.g. /slides/a.svs/thumbnail.' },
    secret: { type: 'string', value: 'SECRET', description: "The server's --auth-secret." },
    ttl: { type: 'string', value: 'SECONDS', default: '3600', description: 'How long the signature is valid.' },
    'base-url': { type: 'string', value: 'URL', description: 'Prefix the signed path with this origin.' },
    params: { type: 'string', value: 'k=v,k2=v2', description: 'Query parameters to sign with the path.' },
    method: {
      type: 'string',
      value: 'GET|POST|PUT|DELETE',
      default: 'GET',
      description: 'The method the URL is for: writes (annotation routes) sign it with the path, so a read URL cannot write.',
    },
    format: { type: 'string', value: 'url|json|signature', default: 'url', description: 'What to print.' },
  },
  example: 'wsi-stream sign --path /slides/a.svs --secret "$SECRET" --base-url http://localhost:3000',
};

/** `wsi-stream sign --path P --secret S [--ttl 3600] [--base-url URL] [--params k=v,…] [--format url|json|signature]` */
export async function sign(argv: string[]): Promise<void> {
  const parsed = parseOrHelp(SIGN, argv);
  if (!parsed) return;
  const { positional, flags } = parsed;
  if (positional.length) throw new SlideError('invalid_argument', `sign takes only flags, not "${positional[0]}". Run wsi-stream sign --help.`);
  const path = flags.get('path');
  const secret = flags.get('secret');
  if (typeof path !== 'string' || typeof secret !== 'string' || !path.startsWith('/')) {
    throw new SlideError('invalid_argument', 'sign needs --path /route/as/requested and --secret SECRET.');
  }
  const ttlFlag = flags.get('ttl');
  const ttl = typeof ttlFlag === 'string' ? Number(ttlFlag) : 3600;
  if (!Number.isInteger(ttl) || ttl <= 0) throw new SlideError('invalid_argument', '--ttl must be a positive number of seconds.');
  const params: Record<string, string> = {};
  const list = flags.get('params');
  if (typeof list === 'string' && list) {
    for (const pair of list.split(',')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new SlideError('invalid_argument', `--params wants k=v pairs, not "${pair}".`);
      params[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  const base = typeof flags.get('base-url') === 'string' ? (flags.get('base-url') as string).replace(/\/$/, '') : '';
  const method = String(flags.get('method') ?? 'GET').toUpperCase();
  if (!['GET', 'HEAD', 'POST', 'PUT', 'DELETE'].includes(method)) throw new SlideError('invalid_argument', '--method is GET, HEAD, POST, PUT or DELETE.');
  const signed = signUrl(secret, path, ttl, params, undefined, method);
  const url = `${base}${signed.url}`;
  const format = flags.get('format') ?? 'url';
  if (format === 'signature') process.stdout.write(`${signed.signature}\n`);
  else if (format === 'json') process.stdout.write(`${JSON.stringify({ signature: signed.signature, expiry: signed.expiry, path, ttl, url, method })}\n`);
  else if (format === 'url') process.stdout.write(`${url}\n`);
  else throw new SlideError('invalid_argument', '--format is url, json or signature.');
}
