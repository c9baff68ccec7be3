// The session model shared by the extension and the CLI. A Session is metadata only — safe to show, log and persist
// anywhere. The secret half (secret access key + session token) is a SessionCredentials, which lives in memory and is
// persisted only through the injected SecretStore.
import type { PlaybookRef } from '../playbooks';

export type SessionState = 'active' | 'expiring' | 'expired' | 'revoked';

export interface Session {
  /** Random UUID, local to this tool (the RoleSessionName is what AWS sees). */
  id: string;
  accountId: string;
  roleArn: string;
  roleName: string;
  /** The session-policy playbook's display name (src/core/playbooks.ts playbookDisplayName). */
  playbook: string;
  /** Which playbook exactly (a file's path), to preview or re-elevate with it. Absent in sessions stored by 0.1.0. */
  playbookRef?: PlaybookRef;
  incidentId: string;
  justification: string;
  requester: string;
  sourceIdentity: string;
  roleSessionName: string;
  /** ISO 8601 UTC. */
  issuedAt: string;
  /** ISO 8601 UTC, from STS's Credentials.Expiration. */
  expiresAt: string;
  /** First 16 hex characters of SHA-256(session token): correlates audit lines and CloudTrail without the token. */
  tokenHash: string;
  /** Not secret: appears in CloudTrail as the access key of every call made with this session. */
  accessKeyId: string;
  region: string;
  state: SessionState;
}

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ISO 8601 UTC. */
  expiration: string;
}

/** Backed by VS Code's SecretStorage in the extension; in memory in tests and the CLI. */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Time and timers, injectable so expiry can be tested with a fake clock. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const h = setTimeout(fn, ms);
    // A pending expiry timer must not keep the CLI (or a test runner) alive.
    h.unref?.();
    return h;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** A SecretStore in memory (tests, CLI). */
export class MemorySecretStore implements SecretStore {
  readonly data = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.data.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.data.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }
}
