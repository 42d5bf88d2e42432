import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { FolderStore } from '../src/sidecar/folder-store.js';
import { FIXTURES, REPO_ROOT } from './support/fixtures.js';
import { getJson, startSidecar } from './support/sidecar.js';

const SECRET = 'correct horse battery staple';
/** HMAC-SHA256 by OpenSSL, not by our signer: the independent vector for every case. */
function openssl(message: string, secret = SECRET): string {
  const out = execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret], { input: message }).toString();
  return /([0-9a-f]{64})\s*$/.exec(out)![1]!;
}

let base: string;
let log: string[];
const future = Math.floor(Date.now() / 1000) + 600;
const past = Math.floor(Date.now() / 1000) - 10;
const TILE = '/tiles/real%2Fsmall.svs/0/0/0.jpg';

beforeAll(async () => {
  ({ url: base, log } = await startSidecar({ store: new FolderStore(FIXTURES), authSecret: SECRET }));
});

async function call(pathAndQuery: string) {
  const response = await fetch(`${base}${pathAndQuery}`);
  const text = await response.text();
  return {
    status: response.status,
    text,
    error: response.headers.get('content-type') === 'application/json' ? (JSON.parse(text) as { error?: string }).error : undefined,
  };
}

describe('HMAC-signed URLs, checked against OpenSSL vectors', () => {
  it('accepts a valid signature over the still-encoded path and sorted parameters', async () => {
    // The message, spelled out: path as sent + "?" + every parameter but sig, decoded, sorted, k=v joined by &.
    const sig = openssl(`${TILE}?exp=${future}&quality=90`);
    const r = await call(`${TILE}?quality=90&exp=${future}&sig=${sig}`);
    expect(r.status).toBe(200);
  });

  const cases: Array<[string, () => string, number, string]> = [
    ['expired', () => `${TILE}?exp=${past}&sig=${openssl(`${TILE}?exp=${past}`)}`, 401, 'signature_expired'],
    ['tampered path', () => `/tiles/real%2Fboxes.tiff/0/0/0.jpg?exp=${future}&sig=${openssl(`${TILE}?exp=${future}`)}`, 401, 'invalid_signature'],
    ['extra unsigned parameter', () => `${TILE}?exp=${future}&quality=10&sig=${openssl(`${TILE}?exp=${future}`)}`, 401, 'invalid_signature'],
    [
      'duplicate sig',
      () => `${TILE}?exp=${future}&sig=${openssl(`${TILE}?exp=${future}`)}&sig=${openssl(`${TILE}?exp=${future}`)}`,
      400,
      'invalid_signature_format',
    ],
    ['non-integer exp', () => `${TILE}?exp=12.5&sig=${openssl(`${TILE}?exp=12.5`)}`, 400, 'invalid_expiry_format'],
    ['duplicate exp', () => `${TILE}?exp=${future}&exp=${future}&sig=${openssl(`${TILE}?exp=${future}&exp=${future}`)}`, 400, 'invalid_expiry_format'],
    ['missing exp (reported before a missing sig)', () => TILE, 401, 'missing_expiry'],
    ['missing sig', () => `${TILE}?exp=${future}`, 401, 'missing_signature'],
    [
      'a signature over the decoded path (%2F must stay encoded)',
      () => `${TILE}?exp=${future}&sig=${openssl(`/tiles/real/small.svs/0/0/0.jpg?exp=${future}`)}`,
      401,
      'invalid_signature',
    ],
    ['a signature made with another secret', () => `${TILE}?exp=${future}&sig=${openssl(`${TILE}?exp=${future}`, 'other')}`, 401, 'invalid_signature'],
    ['a signature that is not hex', () => `${TILE}?exp=${future}&sig=zz`, 400, 'invalid_signature_format'],
  ];
  for (const [name, url, status, code] of cases) {
    it(`refuses: ${name}`, async () => {
      const r = await call(url());
      expect([r.status, r.error]).toEqual([status, code]);
    });
  }

  it('keeps /health open', async () => {
    expect((await call('/health')).status).toBe(200);
  });

  it('viewer tokens open only their own slide, and renew only from a valid token', async () => {
    const vt = openssl(`viewer:real/small.svs:${future}`);
    expect((await call(`${TILE}?exp=${future}&vt=${vt}`)).status).toBe(200);
    expect((await call(`/slides/real%2Fsmall.svs?exp=${future}&vt=${vt}`)).status).toBe(200);
    expect((await call(`/tiles/real%2Fboxes.tiff/0/0/0.jpg?exp=${future}&vt=${vt}`)).error).toBe('invalid_signature');
    const renewed = await getJson(`${base}/slides/real%2Fsmall.svs/token?exp=${future}&vt=${vt}`);
    expect(renewed.body.vt).toBe(openssl(`viewer:real/small.svs:${renewed.body.exp}`));
    expect((await call(`/slides/real%2Fsmall.svs/token`)).error).toBe('missing_expiry');
    expect((await call(`/slides?exp=${future}&vt=${vt}`)).error).toBe('invalid_signature');
  });

  it('the viewer page needs a signed URL, not a bare link or a token', async () => {
    expect((await call('/view/real%2Fsmall.svs')).error).toBe('missing_expiry');
    const vt = openssl(`viewer:real/small.svs:${future}`);
    expect((await call(`/view/real%2Fsmall.svs?exp=${future}&vt=${vt}`)).error).toBe('missing_signature');
    const page = await call(`/view/real%2Fsmall.svs?exp=${future}&sig=${openssl(`/view/real%2Fsmall.svs?exp=${future}`)}`);
    expect(page.status).toBe(200);
    const token = /"vt":"([0-9a-f]{64})","exp":(\d+)/.exec(page.text)!;
    expect(token[1]).toBe(openssl(`viewer:real/small.svs:${token[2]}`));
  });

  it('never shows the secret in a response or a log line', async () => {
    const bodies = await Promise.all([call('/health'), call(TILE), call(`${TILE}?exp=${future}&sig=${'0'.repeat(64)}`)]);
    for (const b of bodies) expect(b.text).not.toContain(SECRET);
    expect(log.join('\n')).not.toContain(SECRET);
    expect(log.join('\n')).not.toMatch(/sig=[0-9a-f]{64}/);
  });
});

describe('wsi-stream sign', () => {
  it('prints a URL, JSON or the bare signature, each matching OpenSSL', () => {
    const bin = `${REPO_ROOT}/bin/wsi-stream.js`;
    const json = JSON.parse(
      execFileSync(process.execPath, [
        bin,
        'sign',
        '--path',
        TILE,
        '--secret',
        SECRET,
        '--ttl',
        '120',
        '--params',
        'quality=90',
        '--base-url',
        'https://wsi.example',
        '--format',
        'json',
      ]).toString(),
    );
    expect(json).toMatchObject({ path: TILE, ttl: 120 });
    expect(json.signature).toBe(openssl(`${TILE}?exp=${json.expiry}&quality=90`));
    expect(json.url).toBe(`https://wsi.example${TILE}?quality=90&exp=${json.expiry}&sig=${json.signature}`);
    const bare = execFileSync(process.execPath, [bin, 'sign', '--path', '/slides', '--secret', SECRET, '--format', 'signature']).toString().trim();
    expect(bare).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a URL signed by the CLI is accepted by the sidecar', async () => {
    const url = execFileSync(process.execPath, [`${REPO_ROOT}/bin/wsi-stream.js`, 'sign', '--path', TILE, '--secret', SECRET])
      .toString()
      .trim();
    expect((await call(url)).status).toBe(200);
  });
});

describe('URLs the sidecar hands out for its own files, auth on', () => {
  it('/url and /urls sign the /raw URLs they give, so their holder can read the file by range, and nothing else', async () => {
    const signed = (path: string) => `${path}?exp=${future}&sig=${openssl(`${path}?exp=${future}`)}`;
    const single = await call(signed('/slides/real%2Fsmall.svs/url'));
    const { url } = JSON.parse(single.text) as { url: string };
    expect(url).toMatch(/\/raw\/real%2Fsmall\.svs\?exp=\d+&sig=[0-9a-f]{64}$/);
    const part = await fetch(url, { headers: { Range: 'bytes=0-3' } });
    expect([part.status, [...new Uint8Array(await part.arrayBuffer())]]).toEqual([206, [0x49, 0x49, 0x2a, 0x00]]);
    // The signature covers that one file: another path with it is refused.
    expect((await call(url.replace('small.svs', 'boxes.tiff').slice(base.length))).error).toBe('invalid_signature');

    const series = JSON.parse((await call(signed('/slides/generated%2Fdicom%2Fcmu-dicomizer/urls'))).text) as {
      urls: Array<{ url: string; source_id: string }>;
    };
    expect(series.urls.length).toBe(5);
    for (const u of series.urls) {
      expect(u.source_id).toMatch(/\/raw\/generated%2Fdicom%2Fcmu-dicomizer%2Fwsi-00000\d\.dcm$/);
      const head = await fetch(u.url, { headers: { Range: 'bytes=128-131' } });
      expect(new TextDecoder().decode(await head.arrayBuffer())).toBe('DICM');
    }
  });
});
