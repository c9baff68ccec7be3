// The session agent: how the `breakglass` CLI (and so `credential_process` in ~/.aws/config) reaches the live sessions
// of the user's running editor, without any secret on disk.
//
// Each editor window's extension listens on a Unix domain socket `agent-<pid>.sock` in a directory only its user can
// enter (0700, owned by the user, not a symlink — checked, refused otherwise): $XDG_RUNTIME_DIR/breakglass (a per-user
// 0700 tmpfs by the XDG spec, gone at logout), else ~/.breakglass/run. The socket itself is 0600. Reaching it needs
// the user's own uid — the same boundary as ~/.aws/credentials — and no bearer token exists that could leak into a
// file, an environment or a process list. Not available on Windows (a named pipe's default ACL is wider); the CLI
// says so in one line.
//
// Protocol: HTTP/1.1 over the socket, JSON bodies.
//   GET  /v1/sessions                                   → { sessions: [metadata of live sessions] }
//   GET  /v1/credentials?session=ID | ?incident=ID[&role=ARN]
//        → 200 credential_process JSON { Version: 1, AccessKeyId, SecretAccessKey, SessionToken, Expiration }
//        → 404 { message } no live session matches; 409 { message } several do (name --role or --session)
//   POST /v1/console?session=ID[&destination=…]        → the EDITOR opens the console ({ opened: true }); the sign-in
//        URL never crosses the socket.
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import type { Logger } from '../log';
import type { Session, SessionCredentials } from './types';

export interface AgentSessionInfo {
  id: string;
  incidentId: string;
  roleArn: string;
  roleName: string;
  accountId: string;
  playbook: string;
  region: string;
  expiresAt: string;
  /** Assumed with temporary credentials (an MFA session): console sign-in without SessionDuration. */
  chained: boolean;
}

export interface CredentialProcessOutput {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

export interface AgentPorts {
  live(): Session[];
  credentials(id: string): SessionCredentials | undefined;
  isChained?(id: string): boolean;
  /** Opens the console for a session in the editor; rejects with a readable message. */
  openConsole?(sessionId: string, destination?: string): Promise<void>;
  /** Called when credentials are handed out (audit). */
  onHandout?(session: Session): void;
  log?: Logger;
}

/** The agent directory for this user, or undefined where the agent is not supported. */
export function agentDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform === 'win32') return undefined;
  if (env.BREAKGLASS_AGENT_DIR) return env.BREAKGLASS_AGENT_DIR;
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && path.isAbsolute(runtime)) return path.join(runtime, 'breakglass');
  return path.join(env.HOME || os.homedir(), '.breakglass', 'run');
}

/** Creates (or checks) the agent directory: a real directory, owned by this user, mode 0700. Throws a readable Error. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await fs.promises.lstat(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory (a symlink?); remove it so Break Glass can create its private agent directory.`);
  if (uid !== undefined && st.uid !== uid) throw new Error(`${dir} belongs to another user (uid ${st.uid}); Break Glass will not put its agent there.`);
  if ((st.mode & 0o077) !== 0) {
    await fs.promises.chmod(dir, 0o700);
    const again = await fs.promises.lstat(dir);
    if ((again.mode & 0o077) !== 0) throw new Error(`${dir} is accessible to other users and cannot be made private (mode ${(again.mode & 0o777).toString(8)}).`);
  }
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
};

/** Finds the one live session a request names. */
export function selectSession(live: Session[], q: { session?: string; incident?: string; role?: string }): { session: Session } | { status: 404 | 409 | 400; message: string } {
  if (!q.session && !q.incident) return { status: 400, message: 'name a session (--session ID) or an incident (--incident ID)' };
  let found = live;
  if (q.session) found = found.filter((s) => s.id === q.session);
  if (q.incident) found = found.filter((s) => s.incidentId === q.incident);
  if (q.role) found = found.filter((s) => s.roleArn === q.role || s.roleName === q.role);
  const what = q.session ? `session ${q.session}` : `incident ${q.incident}${q.role ? ` and role ${q.role}` : ''}`;
  if (!found.length) return { status: 404, message: `no live break-glass session for ${what}; elevate in the editor first` };
  if (found.length > 1) {
    return { status: 409, message: `${found.length} live sessions for ${what} (${found.map((s) => s.roleName).join(', ')}); add --role NAME or use --session ID` };
  }
  return { session: found[0] };
}

export class SessionAgent {
  private constructor(private readonly server: http.Server, readonly socketPath: string) {}

  /** Starts listening at <dir>/agent-<pid>.sock (0600), removing stale sockets of ended windows. */
  static async start(ports: AgentPorts, opts: { dir?: string } = {}): Promise<SessionAgent> {
    const dir = opts.dir ?? agentDir();
    if (!dir) throw new Error('the session agent is not available on Windows');
    await ensurePrivateDir(dir);
    await removeStaleSockets(dir);
    const socketPath = path.join(dir, `agent-${process.pid}.sock`);
    await fs.promises.rm(socketPath, { force: true });
    const server = http.createServer((req, res) => void handle(ports, req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // Created with umask 0177 semantics: chmod right after listen, inside a 0700 directory nobody else can enter.
      server.listen(socketPath, () => resolve());
    });
    await fs.promises.chmod(socketPath, 0o600);
    server.unref();
    return new SessionAgent(server, socketPath);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await fs.promises.rm(this.socketPath, { force: true });
  }
}

async function handle(ports: AgentPorts, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const u = new URL(req.url ?? '/', 'http://agent');
  const q = { session: u.searchParams.get('session') ?? undefined, incident: u.searchParams.get('incident') ?? undefined, role: u.searchParams.get('role') ?? undefined };
  try {
    if (req.method === 'GET' && u.pathname === '/v1/sessions') {
      const sessions: AgentSessionInfo[] = ports.live().map((s) => ({
        id: s.id, incidentId: s.incidentId, roleArn: s.roleArn, roleName: s.roleName, accountId: s.accountId, playbook: s.playbook,
        region: s.region, expiresAt: s.expiresAt, chained: ports.isChained?.(s.id) ?? false,
      }));
      return json(res, 200, { sessions });
    }
    if (req.method === 'GET' && u.pathname === '/v1/credentials') {
      const sel = selectSession(ports.live(), q);
      if (!('session' in sel)) return json(res, sel.status, { message: sel.message });
      const c = ports.credentials(sel.session.id);
      if (!c) return json(res, 404, { message: `session ${sel.session.id} has no credentials any more; elevate again` });
      ports.onHandout?.(sel.session);
      const out: CredentialProcessOutput = { Version: 1, AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken, Expiration: c.expiration };
      return json(res, 200, out);
    }
    if (req.method === 'POST' && u.pathname === '/v1/console') {
      if (!ports.openConsole) return json(res, 501, { message: 'this agent cannot open the console' });
      const sel = selectSession(ports.live(), q);
      if (!('session' in sel)) return json(res, sel.status, { message: sel.message });
      await ports.openConsole(sel.session.id, u.searchParams.get('destination') ?? undefined);
      return json(res, 200, { opened: true, sessionId: sel.session.id });
    }
    return json(res, 404, { message: `unknown agent request ${req.method} ${u.pathname}` });
  } catch (e) {
    ports.log?.warn(`session agent: ${req.method} ${u.pathname} failed: ${(e as Error).message}`);
    return json(res, 500, { message: (e as Error).message || 'the editor could not complete the request' });
  }
}

async function removeStaleSockets(dir: string): Promise<void> {
  for (const name of await fs.promises.readdir(dir).catch(() => [] as string[])) {
    if (!/^agent-\d+\.sock$/.test(name)) continue;
    const p = path.join(dir, name);
    if (!(await answers(p))) await fs.promises.rm(p, { force: true }).catch(() => undefined);
  }
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath, path: '/v1/sessions', method: 'GET', timeout: 1000 }, (res) => { res.resume(); resolve(true); });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.end();
  });
}

// --- the client side (CLI) ---

export interface AgentAnswer<T> {
  status: number;
  body: T & { message?: string };
}

/** Sends one request to every running editor's agent; returns the answers (empty: no editor is running). */
export async function askAgents<T>(method: 'GET' | 'POST', pathAndQuery: string, env: NodeJS.ProcessEnv = process.env): Promise<Array<AgentAnswer<T>>> {
  const dir = agentDir(env);
  if (!dir) throw new Error('talking to the editor is not supported on Windows yet; use `breakglass elevate --exec` instead');
  const names = (await fs.promises.readdir(dir).catch(() => [] as string[])).filter((n) => /^agent-\d+\.sock$/.test(n));
  const answers = await Promise.all(names.map((n) => request<T>(path.join(dir, n), method, pathAndQuery)));
  return answers.filter((a): a is AgentAnswer<T> => a !== undefined);
}

function request<T>(socketPath: string, method: string, pathAndQuery: string): Promise<AgentAnswer<T> | undefined> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath, path: pathAndQuery, method, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as AgentAnswer<T>['body'] });
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('error', () => resolve(undefined)); // a window that closed: its socket is stale
    req.on('timeout', () => { req.destroy(); resolve(undefined); });
    req.end();
  });
}

/** The credential_process answer for a query, from whichever editor holds the session; or one line saying why not. */
export async function fetchCredentials(q: { session?: string; incident?: string; role?: string }, env: NodeJS.ProcessEnv = process.env): Promise<{ ok: true; output: CredentialProcessOutput } | { ok: false; message: string }> {
  const qs = new URLSearchParams(Object.entries(q).filter(([, v]) => v) as Array<[string, string]>).toString();
  const answers = await askAgents<CredentialProcessOutput>('GET', `/v1/credentials?${qs}`, env);
  if (!answers.length) return { ok: false, message: 'no editor with Break Glass is running (start VS Code, elevate, then try again)' };
  const hit = answers.filter((a) => a.status === 200);
  if (hit.length === 1) return { ok: true, output: hit[0].body };
  if (hit.length > 1) return { ok: false, message: 'several editor windows hold a matching session; use --session ID' };
  const conflict = answers.find((a) => a.status === 409);
  return { ok: false, message: (conflict ?? answers[0]).body.message ?? 'no live break-glass session matches' };
}
