import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A gate in front of a server that wants a bearer token, as a PACS behind an identity provider would: 401 without it. */
export async function startTokenGate(upstream: string, token: string): Promise<{ url: string; close(): void }> {
  const gate = createServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
    const answer = await fetch(`${upstream}${req.url}`, { headers: { accept: req.headers.accept ?? '*/*' } });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(gate.address() as AddressInfo).port}`, close: () => gate.close() };
}
