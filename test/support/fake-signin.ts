// A local fake of the AWS federation sign-in endpoint (https://signin.aws.amazon.com/federation), speaking its JSON:
//   getSigninToken (GET query or form POST): Session = {"sessionId","sessionKey","sessionToken"}, optional
//   SessionDuration (900–43200) → 200 {"SigninToken":"…"}; a malformed Session, or a SessionDuration out of range or
//   given with temporary credentials that AWS refuses it for → 400 with AWS's text "Invalid credentials parameter".
//   login: 302 to Destination when SigninToken is one it issued (a browser would follow it).
// Every request is recorded (method, action, params, whether the credentials were in the URL) so tests can assert the
// request shape.
import * as http from 'http';
import { randomBytes } from 'crypto';
import type { AddressInfo } from 'net';

export interface SigninRequest {
  method: string;
  action: string;
  params: Record<string, string>;
  /** Whether the Session parameter arrived in the request line (a URL) rather than the body. */
  sessionInUrl: boolean;
}

export interface FakeSignin {
  url: string;
  requests: SigninRequest[];
  tokens: Map<string, { sessionId: string; sessionDuration?: number }>;
  /** Access key ids of sessions the fake treats as role-chained (SessionDuration refused, as AWS does). */
  chainedKeys: Set<string>;
  close(): Promise<void>;
}

export async function startFakeSignin(): Promise<FakeSignin> {
  const requests: SigninRequest[] = [];
  const tokens = new Map<string, { sessionId: string; sessionDuration?: number }>();
  const chainedKeys = new Set<string>();
  const bad = (res: http.ServerResponse) => {
    const body = JSON.stringify({ message: 'Invalid credentials parameter', description: 'The request sent by the client was syntactically incorrect.' });
    res.writeHead(400, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const params: Record<string, string> = Object.fromEntries(u.searchParams.entries());
      const sessionInUrl = u.searchParams.has('Session');
      if (req.method === 'POST') Object.assign(params, Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')).entries()));
      const action = params.Action ?? '';
      requests.push({ method: req.method ?? '', action, params, sessionInUrl });
      if (u.pathname !== '/federation') { res.writeHead(404); res.end(); return; }
      if (action === 'getSigninToken') {
        let s: { sessionId?: unknown; sessionKey?: unknown; sessionToken?: unknown };
        try {
          s = JSON.parse(params.Session ?? '') as typeof s;
        } catch {
          return bad(res);
        }
        if (typeof s.sessionId !== 'string' || typeof s.sessionKey !== 'string' || typeof s.sessionToken !== 'string') return bad(res);
        const d = params.SessionDuration === undefined ? undefined : Number(params.SessionDuration);
        if (d !== undefined && (!Number.isInteger(d) || d < 900 || d > 43200)) return bad(res);
        if (d !== undefined && chainedKeys.has(s.sessionId)) return bad(res);
        const token = randomBytes(48).toString('base64url');
        tokens.set(token, { sessionId: s.sessionId, sessionDuration: d });
        const body = JSON.stringify({ SigninToken: token });
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      if (action === 'login' && params.SigninToken && tokens.has(params.SigninToken) && params.Destination) {
        res.writeHead(302, { Location: params.Destination });
        res.end();
        return;
      }
      bad(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`, requests, tokens, chainedKeys,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
