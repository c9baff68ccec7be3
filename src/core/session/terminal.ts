// The environment of a break-glass terminal (or `breakglass elevate --exec`).
//
// Values of `null` mean "remove this variable". That is exactly how VS Code treats TerminalOptions.env
// (`{ [key: string]: string | null | undefined }`): its terminal environment merge does
// `typeof value === 'string' ? env[key] = value : delete env[key]`, so the extension can pass this map to
// `window.createTerminal({ env })` unchanged and an inherited AWS_PROFILE cannot silently take precedence. For a
// child process (CLI --exec), use applyEnvironment() which deletes the null keys from a copy of process.env.
//
// Two deliveries:
//   'env'           — AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN in the environment;
//   'localEndpoint' — no secret in the environment at all: AWS_CONTAINER_CREDENTIALS_FULL_URI points at the
//                     loopback credential server (credentialServer.ts) and AWS_CONTAINER_AUTHORIZATION_TOKEN carries
//                     its per-session bearer token. SDKs and the AWS CLI consult the shared config/credentials files
//                     BEFORE the container provider, so those files are pointed at the null device in this mode
//                     (otherwise a [default] profile with keys would win).
import * as os from 'os';
import type { Session, SessionCredentials } from './types';

export type TerminalEnv = Record<string, string | null>;

export interface LocalEndpoint {
  url: string;
  token: string;
}

const DEV_NULL = os.platform() === 'win32' ? 'NUL' : '/dev/null';

/** Variables that would make an SDK pick other credentials than the break-glass session's. */
const CONFLICTING = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_SESSION_NAME',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', 'AWS_SECURITY_TOKEN'];

export function terminalEnvironment(session: Session, creds: SessionCredentials | undefined, region?: string, endpoint?: LocalEndpoint): TerminalEnv {
  const r = region ?? session.region;
  const env: TerminalEnv = {};
  for (const k of CONFLICTING) env[k] = null;
  if (endpoint) {
    env.AWS_ACCESS_KEY_ID = null;
    env.AWS_SECRET_ACCESS_KEY = null;
    env.AWS_SESSION_TOKEN = null;
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI = endpoint.url;
    env.AWS_CONTAINER_AUTHORIZATION_TOKEN = endpoint.token;
    env.AWS_SHARED_CREDENTIALS_FILE = DEV_NULL;
    env.AWS_CONFIG_FILE = DEV_NULL;
  } else {
    if (!creds) throw new Error('This session has no credentials any more (expired or revoked); elevate again.');
    env.AWS_ACCESS_KEY_ID = creds.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = creds.secretAccessKey;
    env.AWS_SESSION_TOKEN = creds.sessionToken;
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI = null;
  }
  env.AWS_REGION = r;
  env.AWS_DEFAULT_REGION = r;
  env.AWS_CREDENTIAL_EXPIRATION = session.expiresAt;
  env.BREAKGLASS_SESSION = session.id;
  env.BREAKGLASS_INCIDENT = session.incidentId;
  return env;
}

/** A process environment: `base` with the map applied (null deletes). */
export function applyEnvironment(base: NodeJS.ProcessEnv, env: TerminalEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...base };
  for (const [k, v] of Object.entries(env)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}
