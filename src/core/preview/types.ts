// The policy preview's page model: plain, JSON-serialisable data that the host computes (model.ts) and the webview
// renders as is. Type-only: this file is imported by the webview bundle (through src/views/preview/protocol.ts), so it
// must stay free of runtime imports — `import type` only, erased at build time.
import type { AccessLevel } from '../policy/catalog';
import type { EffectiveStatus, SessionOutcome } from '../policy/effective';
import type { LintSeverity } from '../policy/lint';
import type { RiskCategory, RiskSeverity } from '../policy/risk';

export type { AccessLevel, EffectiveStatus, LintSeverity, RiskCategory, RiskSeverity, SessionOutcome };

/** Permitted actions (allowed or conditional) in one access level, and how many of them are only conditional. */
export interface LevelCount {
  permitted: number;
  conditional: number;
  /**
   * With the real session's context (the effective side only): how the conditional actions split — allowed in this
   * session, denied in this session, depends on the request. allowed + denied + depends = conditional.
   */
  inSession?: Record<SessionOutcome, number>;
}

/** Counts per access level for one side of the picture, plus the total. */
export interface CountsView {
  byLevel: Record<AccessLevel, LevelCount>;
  total: LevelCount;
}

export interface RiskReason {
  category: RiskCategory;
  severity: RiskSeverity;
  reason: string;
}

/** One action in a service's kept or removed list. */
export interface ActionView {
  /** Canonical "svc:Action". */
  action: string;
  level: AccessLevel;
  /** Kept: the status in the session (allowed / conditional). Removed: the status the role had. */
  status: EffectiveStatus;
  /** Why the action is risky on its own, worst first (absent when it is not). */
  risks?: RiskReason[];
  /** Conditional actions: what limits them, e.g. "if StringEquals aws:RequestedRegion = us-east-1, us-west-2". */
  scope?: string;
  /** Kept conditional actions, with the session's context: what the action comes to in this session. */
  inSession?: SessionOutcome;
  /** The condition keys that decide inSession (`Resource` for a resource limit). */
  keys?: string[];
}

export interface ServiceView {
  /** Service prefix, e.g. "ec2". */
  service: string;
  /** Display name, e.g. "Amazon EC2". */
  name: string;
  /** Actions the session keeps (permitted by the role and still permitted with the session policy), risky first. */
  kept: ActionView[];
  /** Actions the role permits that the session policy takes away, risky first. */
  removed: ActionView[];
  riskyKept: number;
  riskyRemoved: number;
  /** How many actions each list holds, also when a slimmed model leaves the lists out (see slimModel). */
  keptCount: number;
  removedCount: number;
}

export type DiffRowKind = 'same' | 'removed' | 'added' | 'changed';

/** One row of the side-by-side diff; a side is absent when the row only exists on the other side. */
export interface DiffRow {
  kind: DiffRowKind;
  /** 1-based line numbers. */
  left?: { line: number; text: string };
  right?: { line: number; text: string };
}

export interface JsonDiffView {
  leftTitle: string;
  rightTitle: string;
  rows: DiffRow[];
  /** True when the texts were too large for an exact line diff and the rows are a plain side-by-side listing. */
  approximate: boolean;
}

export interface LintView {
  severity: LintSeverity;
  code: string;
  message: string;
  path: string;
  /** 1-based line in the session policy text, when known. */
  line?: number;
}

export interface PreviewModel {
  roleName: string;
  playbookName: string;
  /** The policies that took part, by name. */
  policies: { identity: string[]; boundary: string | null; session: string[] | null };
  counts: {
    /** What the role can do: identity ∩ boundary. */
    role: CountsView;
    /** What the session policy alone would grant (null when no session policy is passed). */
    session: CountsView | null;
    /** What the session can do: identity ∩ boundary ∩ session policy. */
    effective: CountsView;
  };
  /** Per access level, actions the role permits that the session does not. */
  removedByLevel: Record<AccessLevel, number>;
  /** Services with any kept or removed action; services with kept actions first (most first), then by removed. */
  services: ServiceView[];
  diff: JsonDiffView;
  lint: LintView[];
  /** Things the responder should know about how the picture was computed (assumptions, missing data). */
  notes: string[];
  /** The context the real session will carry (key → value as shown), or null when none was built. */
  sessionContext: Array<{ key: string; value: string }> | null;
}

export type SessionViewState = 'active' | 'expiring' | 'expired' | 'revoked';

/** A live session as the page may see it: metadata only, never a credential. */
export interface SessionView {
  id: string;
  incidentId: string;
  roleName: string;
  roleArn: string;
  accountId: string;
  playbook: string;
  region: string;
  /** ISO 8601 UTC instants; the page computes countdowns from them. */
  issuedAt: string;
  expiresAt: string;
  state: SessionViewState;
}
