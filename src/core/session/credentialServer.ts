// A loopback credential endpoint in the container-credentials format, so a terminal can use a break-glass session
// without any secret in its environment (delivery 'localEndpoint').
//
// Protocol (the SDKs' "container credential provider"): the SDK GETs AWS_CONTAINER_CREDENTIALS_FULL_URI — which must
// be HTTPS or a loopback address — sending the value of AWS_CONTAINER_AUTHORIZATION_TOKEN verbatim as the
// `Authorization` header, and expects
//   { "AccessKeyId": "...", "SecretAccessKey": "...", "Token": "...", "Expiration": "2016-02-25T06:03:31Z" }.
//
// Here: bound to 127.0.0.1 on a random port; one random path and one random bearer token per session; 401 without an
// Authorization header, 403 with a wrong one (constant-time comparison), 404 for an unknown path, 410 once the
// session is revoked or expired (its credentials were wiped), 405 for anything but GET. The Host header must name the
// loopback address (defeats DNS rebinding from a browser page).
import * as http from 'http';
import { randomBytes, timingSafeEqual } from 'crypto';
import type { AddressInfo } from 'net';
import { systemClock, type Clock, type Session, type SessionCredentials } from './types';
import type { Logger } from '../log';

/** Where the server reads sessions from: a SessionStore fits. */
export interface CredentialSource {
  get(id: string): Session | undefined;
  credentials(id: string): SessionCredentials | undefined;
}

interface Route {
  sessionId: string;
  token: Buffer;
  closed: boolean;
}

export interface SessionEndpoint {
  /** Value for AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  url: string;
  /** Value for AWS_CONTAINER_AUTHORIZATION_TOKEN. */
  token: string;
}

export class CredentialServer {
  private readonly routes = new Map<string, Route>();
  private readonly bySession = new Map<string, string>();

  private constructor(
    private readonly server: http.Server,
    private readonly source: CredentialSource,
    private readonly clock: Clock,
    private readonly log?: Logger,
  ) {
    server.on('request', (req, res) => this.handle(req, res));
  }

  /** Starts listening on 127.0.0.1 with a random port. */
  static async start(source: CredentialSource, opts: { clock?: Clock; log?: Logger } = {}): Promise<CredentialServer> {
    const server = http.createServer();
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    server.unref();
    return new CredentialServer(server, source, opts.clock ?? systemClock, opts.log);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Opens (or returns the existing) endpoint for a session. */
  register(sessionId: string): SessionEndpoint {
    const existing = this.bySession.get(sessionId);
    const route = existing ? this.routes.get(existing) : undefined;
    if (existing && route && !route.closed && route.sessionId === sessionId) return { url: this.urlFor(existing), token: route.token.toString() };
    const path = `/creds/${randomBytes(24).toString('base64url')}`;
    const token = `Bearer ${randomBytes(32).toString('base64url')}`;
    this.routes.set(path, { sessionId, token: Buffer.from(token), closed: false });
    this.bySession.set(sessionId, path);
    return { url: this.urlFor(path), token };
  }

  /** Stops serving a session: every path serving it answers 410 from now on. */
  unregister(sessionId: string): void {
    for (const route of this.routes.values()) {
      if (route.sessionId !== sessionId) continue;
      route.closed = true;
      route.token = Buffer.alloc(0);
    }
  }

  /**
   * A re-elevation: the endpoint that served `fromId` (same URL, same bearer token) serves `toId` from now on, so a
   * terminal already open picks up the new credentials at the SDK's next refresh. Returns whether there was one.
   */
  follow(fromId: string, toId: string): boolean {
    let moved = false;
    for (const [path, route] of this.routes) {
      if (route.sessionId !== fromId || route.closed) continue;
      route.sessionId = toId;
      if (!this.bySession.has(toId)) this.bySession.set(toId, path);
      moved = true;
    }
    if (moved) {
      this.bySession.delete(fromId);
      this.log?.info(`credential endpoint of session ${fromId} now serves its re-elevation ${toId}`);
    }
    return moved;
  }

  /** Whether an open endpoint serves this session. */
  serves(sessionId: string): boolean {
    return [...this.routes.values()].some((r) => r.sessionId === sessionId && !r.closed);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private urlFor(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
      res.end(text);
    };
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (host !== '127.0.0.1' && host !== 'localhost') return send(403, { code: 'Forbidden', message: 'Loopback host only.' });
    if (req.method !== 'GET') return send(405, { code: 'MethodNotAllowed', message: 'Use GET.' });
    const path = (req.url ?? '').split('?')[0];
    const route = this.routes.get(path);
    if (!route) return send(404, { code: 'NotFound', message: 'No such credential endpoint.' });
    if (route.closed) return send(410, { code: 'SessionEnded', message: 'This break-glass session was revoked or has expired; elevate again.' });
    const auth = req.headers.authorization;
    if (!auth) return send(401, { code: 'Unauthorized', message: 'Missing Authorization header.' });
    const given = Buffer.from(auth);
    if (given.length !== route.token.length || !timingSafeEqual(given, route.token)) {
      this.log?.warn('Break Glass: credential endpoint refused a request with a wrong authorization token.');
      return send(403, { code: 'Forbidden', message: 'Wrong authorization token.' });
    }
    const session = this.source.get(route.sessionId);
    const creds = this.source.credentials(route.sessionId);
    const live = session && (session.state === 'active' || session.state === 'expiring') && Date.parse(session.expiresAt) > this.clock.now();
    if (!live || !creds) {
      this.unregister(route.sessionId);
      return send(410, { code: 'SessionEnded', message: 'This break-glass session was revoked or has expired; elevate again.' });
    }
    send(200, { AccessKeyId: creds.accessKeyId, SecretAccessKey: creds.secretAccessKey, Token: creds.sessionToken, Expiration: creds.expiration });
  }
}

/** A new session re-elevates an earlier one: same role, incident, playbook and requester, issued later, not revoked. */
export function isReElevationOf(next: Session, prev: Session): boolean {
  return next.id !== prev.id && next.roleArn === prev.roleArn && next.incidentId === prev.incidentId && next.playbook === prev.playbook
    && next.requester === prev.requester && prev.state !== 'revoked' && Date.parse(next.issuedAt) >= Date.parse(prev.issuedAt);
}

/** What followReElevations needs from a SessionStore. */
export interface SessionEvents {
  list(): Session[];
  onDidChange(listener: (e: { kind: string; session: Session }) => void): { dispose(): void };
}

/**
 * Keeps endpoints alive across re-elevation: when a session is added that re-elevates one the server serves, the
 * server follows it. `onFollow` lets the terminal owner move its bookkeeping too. Dispose to stop.
 */
export function followReElevations(server: CredentialServer, store: SessionEvents, onFollow?: (fromId: string, toId: string) => void): { dispose(): void } {
  return store.onDidChange((e) => {
    if (e.kind !== 'added') return;
    for (const prev of store.list()) {
      if (isReElevationOf(e.session, prev) && server.serves(prev.id) && server.follow(prev.id, e.session.id)) onFollow?.(prev.id, e.session.id);
    }
  });
}
