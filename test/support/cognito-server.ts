import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CognitoTestServer {
  endpoint: string;
  identityPoolId: string;
  /** The operations called, in order (`GetId`, `GetCredentialsForIdentity`). */
  calls: string[];
  stop(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}

/**
 * Cognito Identity's two calls as the SDK's fromCognitoIdentityPool makes them (JSON 1.1, X-Amz-Target), answered
 * with temporary credentials the S3 test server accepts: so the real provider, not an injected function, signs
 * the requests. Browsers call it from another origin, hence CORS.
 */
export async function startCognitoServer(credentials: { accessKeyId: string; secretAccessKey: string }, lifetimeSeconds = 3600): Promise<CognitoTestServer> {
  const identityPoolId = 'us-east-1:00000000-0000-4000-8000-000000000000';
  const identityId = 'us-east-1:11111111-1111-4111-8111-111111111111';
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', '*');
    res.setHeader('Access-Control-Allow-Methods', 'POST');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AWSCognitoIdentityService\./, '');
    const reply = (status: number, json: object) => {
      res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' }).end(JSON.stringify(json));
    };
    void body(req).then((input) => {
      calls.push(operation);
      if (operation === 'GetId') {
        if (input.IdentityPoolId !== identityPoolId) return reply(400, { __type: 'ResourceNotFoundException', message: 'IdentityPool not found' });
        return reply(200, { IdentityId: identityId });
      }
      if (operation === 'GetCredentialsForIdentity') {
        if (input.IdentityId !== identityId) return reply(400, { __type: 'ResourceNotFoundException', message: 'Identity not found' });
        return reply(200, {
          IdentityId: identityId,
          Credentials: {
            AccessKeyId: credentials.accessKeyId,
            SecretKey: credentials.secretAccessKey,
            SessionToken: `session-${calls.length}`,
            Expiration: Math.floor(Date.now() / 1000) + lifetimeSeconds,
          },
        });
      }
      return reply(400, { __type: 'UnknownOperationException', message: `No operation ${operation}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    identityPoolId,
    calls,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
