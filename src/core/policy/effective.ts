// Effective permissions: every catalog action (~22k) classified against a set of policies with AWS's evaluation logic
// (the same semantics as evaluate.ts): an explicit Deny in any policy wins; otherwise an action is allowed only when
// the identity policies AND the permissions boundary (if any) AND the session policies (if any) each allow it.
//
//   allowed      every layer allows it on every resource, unconditionally, and no Deny can apply to it;
//   conditional  allowed only on some resources or under conditions (limits: the Allow statements of each layer that
//                grants it only partly, with their Resource patterns and condition operators/keys), or allowed but
//                subject to a Deny that applies only to some resources / under conditions (conditionalDenies);
//   denied       an unconditional Deny on every resource applies (deniedBy: which statements);
//   notAllowed   some layer grants it on no resource at all (missing: which layers) — an implicit deny.
//
// Conditional denies, the documented choice: a Deny with a Condition, with specific Resources or with NotResource
// does NOT make an action 'denied' (some requests still get through); it makes an otherwise allowed action
// 'conditional' and is listed under conditionalDenies. If the action is not allowed anyway, the Deny is irrelevant and
// the action is 'notAllowed'.
//
// The real session (EffectiveConfig.context, from buildSessionContext): each conditional action is further split into
// "allowed in this session" (every partly granting layer has a statement whose conditions hold for every request the
// session can make, on every resource, and no conditional Deny can apply), "denied in this session" (a conditional Deny
// holds for every request, or some layer has no statement that can apply) and "depends on the request" (resource
// tags, source IP, the resource itself, …), with the deciding condition keys. Counts stay those of the four statuses.
//
// Resource scope follows the Service Authorization Reference: an action with no resource types only ever sees the
// resource "*", so an Allow with specific Resource ARNs grants it nothing, and a statement whose Resource ARNs name
// another service (arn:aws:s3:::bucket for ec2:*) does not apply to the action.
//
// Technique: per statement, the set of matching actions is computed once as a bit set over catalog action indexes
// (per Action pattern, cached: "ec2:*" is a range, "s3:Get*" one scan of s3's actions), then split into "applies
// fully" and "applies partly" using precomputed masks (actions with resource types; services whose ARNs the Resource
// patterns can name). Layers combine with word-wide OR/AND; only then are the ~22k actions classified. Statement
// analyses are cached per policy document object.
import { loadCatalog, type AccessLevel, type Catalog, type CatalogAction } from './catalog';
import { compilePolicy } from './compile';
import type { PolicyLayer } from './evaluate';
import { wildcardMatch } from './match';
import type { NamedPolicy, PolicyDocument, Statement } from './types';
import { conditionsInSession, type ConditionsVerdict, type SessionContext } from './sessionContext';

export type EffectiveStatus = 'allowed' | 'conditional' | 'denied' | 'notAllowed';

export interface EffectiveConfig {
  identity: NamedPolicy[];
  /** The permissions boundary; null/undefined when there is none. */
  boundary?: NamedPolicy | null;
  /** Session policies (inline and managed); null/undefined or [] when no session policy is passed. */
  session?: NamedPolicy[] | null;
  /**
   * The context the real session will carry (buildSessionContext): when given, every conditional action also gets
   * `inSession` — allowed in this session, denied in this session, or depends on the request — with the deciding keys.
   */
  context?: SessionContext | null;
}

/** What a conditional action comes to in the session described by EffectiveConfig.context. */
export type SessionOutcome = 'allowed' | 'denied' | 'depends';

export interface SessionVerdict {
  outcome: SessionOutcome;
  /**
   * The deciding condition keys as written in the policies (`Resource` when the statement is limited to some
   * resources): allowed/denied — the keys whose session values decided it; depends — the keys the request decides.
   */
  keys: string[];
  /** denied: the Deny statement that applies to every request of the session, or the layer no statement of which does. */
  deniedBy?: StatementRef;
  missing?: PolicyLayer;
}

export interface StatementRef {
  layer: PolicyLayer;
  policy: string;
  /** 0-based position in the policy's Statement list (as in evaluate()'s `deciding`). */
  statementIndex: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
}

export interface ConditionRef {
  operator: string;
  key: string;
  values: string[];
}

/** One statement that applies to an action only partly: on these resources and/or under these conditions. */
export interface ScopeLimit {
  statement: StatementRef;
  /** Resource patterns the statement is limited to (absent: every resource). */
  resources?: string[];
  /** NotResource patterns: every resource except these. */
  notResources?: string[];
  /** Conditions that must hold (absent: none). */
  conditions?: ConditionRef[];
}

export interface EffectiveAction {
  /** "ec2:StopInstances". */
  action: string;
  service: string;
  accessLevel: AccessLevel;
  status: EffectiveStatus;
  /** conditional: per layer that grants the action only partly, the Allow statements that grant it. */
  limits?: ScopeLimit[];
  /** conditional: Deny statements that apply only to some resources or under conditions. */
  conditionalDenies?: ScopeLimit[];
  /** denied: the unconditional Deny statements that apply. */
  deniedBy?: StatementRef[];
  /** notAllowed: the layers that grant the action on no resource. */
  missing?: PolicyLayer[];
  /** conditional, with a session context: what the action comes to in that session. */
  inSession?: SessionVerdict;
  /** Decided outside policy evaluation (sts:GetCallerIdentity): why, with the AWS page. */
  outsidePolicy?: string;
}

/**
 * sts:GetCallerIdentity needs no permission and works even under an explicit Deny ("No permissions are required to
 * perform this operation. If an administrator attaches a policy to your identity that explicitly denies access to the
 * sts:GetCallerIdentity action, you can still perform this operation" —
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html), so it is always allowed, whatever
 * the policies say — the same rule evaluate() applies.
 */
const ALWAYS_ALLOWED: Readonly<Record<string, string>> = {
  'sts:GetCallerIdentity': 'needs no permission and works even under an explicit Deny (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)',
};

function outsidePolicy(e: EffectiveAction): EffectiveAction {
  const why = ALWAYS_ALLOWED[e.action];
  return why && (e.status !== 'allowed' || !e.outsidePolicy)
    ? { action: e.action, service: e.service, accessLevel: e.accessLevel, status: 'allowed', outsidePolicy: why }
    : e;
}

export interface EffectiveResult {
  /** The layers that took part, in evaluation order. */
  layers: PolicyLayer[];
  /** One entry per catalog action, aligned with loadCatalog().actions. */
  actions: EffectiveAction[];
  counts: Record<EffectiveStatus, number>;
  /** With a session context: how the conditional actions split in that session. */
  inSession?: Record<SessionOutcome, number>;
  /** One action by "svc:Action" (case-insensitive); undefined if it is not in the catalog. */
  get(action: string): EffectiveAction | undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Bit sets over catalog action indexes

type Bits = Uint32Array;

const newBits = (n: number): Bits => new Uint32Array((n + 31) >>> 5);
const has = (b: Bits, i: number): boolean => (b[i >>> 5] & (1 << (i & 31))) !== 0;
const set = (b: Bits, i: number): void => {
  b[i >>> 5] |= 1 << (i & 31);
};

function setRange(b: Bits, start: number, end: number): void {
  for (let i = start; i < end && (i & 31) !== 0; i++) set(b, i);
  let i = (start + 31) & ~31;
  for (; i + 32 <= end; i += 32) b[i >>> 5] = 0xffffffff;
  for (; i < end; i++) if (i >= start) set(b, i);
}

function orInto(dst: Bits, src: Bits): void {
  for (let w = 0; w < dst.length; w++) dst[w] |= src[w];
}

function and(a: Bits, b: Bits): Bits {
  const out = new Uint32Array(a.length);
  for (let w = 0; w < a.length; w++) out[w] = a[w] & b[w];
  return out;
}

function andNot(a: Bits, b: Bits): Bits {
  const out = new Uint32Array(a.length);
  for (let w = 0; w < a.length; w++) out[w] = a[w] & ~b[w];
  return out;
}

function complement(a: Bits, n: number): Bits {
  const out = new Uint32Array(a.length);
  for (let w = 0; w < a.length; w++) out[w] = ~a[w];
  if (n & 31) out[out.length - 1] &= (1 << (n & 31)) - 1;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Per-catalog precomputation

interface CatalogMasks {
  catalog: Catalog;
  n: number;
  /** Actions that have resource types (can be scoped to ARNs). */
  typed: Bits;
  /** Actions with no resource types (Resource "*" only). */
  untyped: Bits;
  /** Per Action pattern (lower-case): the actions it matches. */
  patternBits: Map<string, Bits>;
  /** Per ARN service-segment pattern: the actions of services whose ARNs it can name. */
  arnServiceBits: Map<string, Bits>;
}

let masks: CatalogMasks | undefined;

function catalogMasks(): CatalogMasks {
  const catalog = loadCatalog();
  if (masks && masks.catalog === catalog) return masks;
  const n = catalog.actions.length;
  const typed = newBits(n);
  for (const a of catalog.actions) if (!a.wildcardOnly) set(typed, a.index);
  masks = { catalog, n, typed, untyped: complement(typed, n), patternBits: new Map(), arnServiceBits: new Map() };
  return masks;
}

/** The actions an Action/NotAction pattern matches. */
function patternBits(m: CatalogMasks, pattern: string): Bits {
  const p = pattern.trim().toLowerCase();
  let bits = m.patternBits.get(p);
  if (bits) return bits;
  bits = newBits(m.n);
  const colon = p.indexOf(':');
  if (p === '*') setRange(bits, 0, m.n);
  else if (colon > 0 && p.slice(colon + 1) === '*' && !/[*?]/.test(p.slice(0, colon))) {
    const svc = m.catalog.service(p.slice(0, colon));
    if (svc) setRange(bits, svc.start, svc.end);
  } else {
    for (const a of m.catalog.expand(p)) set(bits, a.index);
  }
  m.patternBits.set(p, bits);
  return bits;
}

/** Actions of the services whose resource ARNs have a service segment matching `segment` (may hold wildcards). */
function arnServiceBits(m: CatalogMasks, segment: string): Bits {
  let bits = m.arnServiceBits.get(segment);
  if (bits) return bits;
  bits = newBits(m.n);
  const wild = /[*?]/.test(segment);
  for (const s of m.catalog.services) {
    const hit = wild ? [...s.arnServices].some((a) => wildcardMatch(segment, a)) : s.arnServices.has(segment);
    if (hit) setRange(bits, s.start, s.end);
  }
  m.arnServiceBits.set(segment, bits);
  return bits;
}

// ---------------------------------------------------------------------------------------------------------------
// Per-statement analysis (cached per policy document)

interface StatementAnalysis {
  policy: string;
  statementIndex: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Actions the statement applies to on every resource, unconditionally. */
  full: Bits;
  /** Actions the statement applies to only on some resources or under conditions. */
  partial: Bits;
  /** What limits `partial` (shared by every action in it). */
  scope: Omit<ScopeLimit, 'statement'>;
}

const asList = (v: unknown): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => String(x));

const allStars = (p: string): boolean => p.length > 0 && /^\*+$/.test(p);

function conditionRefs(st: Statement): ConditionRef[] {
  const out: ConditionRef[] = [];
  for (const [operator, block] of Object.entries(st.Condition ?? {})) {
    if (!block || typeof block !== 'object') continue;
    for (const [key, values] of Object.entries(block)) out.push({ operator, key, values: asList(values) });
  }
  return out;
}

function analyzeStatement(m: CatalogMasks, st: Statement, meta: Omit<StatementAnalysis, 'full' | 'partial' | 'scope'>):
  StatementAnalysis {
  // Which actions the Action / NotAction element matches.
  const notAction = st.NotAction !== undefined;
  let matched = newBits(m.n);
  for (const p of asList(notAction ? st.NotAction : st.Action)) orInto(matched, patternBits(m, p));
  if (notAction) matched = complement(matched, m.n);

  // Which of them the Resource / NotResource element lets the statement apply to, fully or partly.
  const notResource = st.NotResource !== undefined;
  const patterns = asList(notResource ? st.NotResource : st.Resource);
  let full = newBits(m.n);
  let partial = newBits(m.n);
  const scope: StatementAnalysis['scope'] = {};
  if (!notResource) {
    if (patterns.some(allStars)) full = matched;
    else {
      // Specific ARNs: only actions with resource types, of services whose ARNs the patterns can name.
      const services = newBits(m.n);
      for (const p of patterns) {
        const segment = p.split(':');
        if (segment.length >= 6 && segment[0] === 'arn') orInto(services, arnServiceBits(m, segment[2].toLowerCase()));
      }
      partial = and(and(matched, m.typed), services);
      scope.resources = patterns;
    }
  } else if (!patterns.some(allStars)) {
    // NotResource: the "*" of an untyped action is never excluded; a typed action is limited only if the excluded
    // ARNs can belong to its service.
    const touched = newBits(m.n);
    for (const p of patterns) {
      const segment = p.split(':');
      if (segment.length >= 6 && segment[0] === 'arn') orInto(touched, arnServiceBits(m, segment[2].toLowerCase()));
    }
    const limited = and(and(matched, m.typed), touched);
    partial = limited;
    full = andNot(matched, limited);
    scope.notResources = patterns;
  } // NotResource "*": applies to nothing.

  const conditions = conditionRefs(st);
  if (conditions.length) {
    scope.conditions = conditions;
    orInto(partial, full);
    full = newBits(m.n);
  }
  return { ...meta, full, partial, scope };
}

let analysisCache = new WeakMap<PolicyDocument, { catalog: Catalog; name: string; statements: StatementAnalysis[] }>();

/** Forgets cached statement analyses (benchmarks use it to time the uncached path). */
export function clearEffectiveCache(): void {
  analysisCache = new WeakMap();
  if (masks) masks.patternBits.clear();
}

function analyzePolicy(m: CatalogMasks, p: NamedPolicy): StatementAnalysis[] {
  const hit = analysisCache.get(p.document);
  if (hit && hit.catalog === m.catalog && hit.name === p.name) return hit.statements;
  const compiled = compilePolicy(p);
  // Broken statements (grammar errors) match nothing, exactly as in evaluate().
  const statements = compiled.statements.filter((s) => !s.broken).map((s) =>
    analyzeStatement(m, s.statement, { policy: p.name, statementIndex: s.index, sid: s.sid, effect: s.effect }));
  if (p.document && typeof p.document === 'object') {
    analysisCache.set(p.document, { catalog: m.catalog, name: p.name, statements });
  }
  return statements;
}

// ---------------------------------------------------------------------------------------------------------------
// Classification

interface LayerAnalysis {
  layer: PolicyLayer;
  allows: StatementAnalysis[];
  allowFull: Bits;
  allowAny: Bits;
}

interface Prepared {
  m: CatalogMasks;
  layers: LayerAnalysis[];
  denies: Array<{ layer: PolicyLayer; s: StatementAnalysis }>;
  denyFull: Bits;
  denyAny: Bits;
  refs: Map<StatementAnalysis, StatementRef>;
  limits: Map<StatementAnalysis, ScopeLimit>;
}

function prepare(config: EffectiveConfig): Prepared {
  const m = catalogMasks();
  const groups: Array<[PolicyLayer, NamedPolicy[]]> = [['identity', config.identity ?? []]];
  if (config.boundary) groups.push(['boundary', [config.boundary]]);
  if (config.session && config.session.length) groups.push(['session', config.session]);
  const layers: LayerAnalysis[] = [];
  const denies: Prepared['denies'] = [];
  const denyFull = newBits(m.n);
  const denyAny = newBits(m.n);
  const refs = new Map<StatementAnalysis, StatementRef>();
  const limits = new Map<StatementAnalysis, ScopeLimit>();
  for (const [layer, policies] of groups) {
    const la: LayerAnalysis = { layer, allows: [], allowFull: newBits(m.n), allowAny: newBits(m.n) };
    for (const p of policies) {
      for (const s of analyzePolicy(m, p)) {
        const ref: StatementRef = { layer, policy: s.policy, statementIndex: s.statementIndex, effect: s.effect };
        if (s.sid !== undefined) ref.sid = s.sid;
        refs.set(s, ref);
        limits.set(s, { statement: ref, ...s.scope });
        if (s.effect === 'Allow') {
          la.allows.push(s);
          orInto(la.allowFull, s.full);
          orInto(la.allowAny, s.full);
          orInto(la.allowAny, s.partial);
        } else {
          denies.push({ layer, s });
          orInto(denyFull, s.full);
          orInto(denyAny, s.full);
          orInto(denyAny, s.partial);
        }
      }
    }
    layers.push(la);
  }
  return { m, layers, denies, denyFull, denyAny, refs, limits };
}

function classify(pr: Prepared, a: CatalogAction): EffectiveAction {
  const i = a.index;
  const base = { action: a.id, service: a.service, accessLevel: a.accessLevel };
  if (has(pr.denyFull, i)) {
    const deniedBy = pr.denies.filter((d) => has(d.s.full, i)).map((d) => pr.refs.get(d.s) as StatementRef);
    return { ...base, status: 'denied', deniedBy };
  }
  let missing: PolicyLayer[] | undefined;
  let partly = false;
  for (const l of pr.layers) {
    if (!has(l.allowAny, i)) (missing ??= []).push(l.layer);
    else if (!has(l.allowFull, i)) partly = true;
  }
  if (missing) return { ...base, status: 'notAllowed', missing };
  const deniedSome = has(pr.denyAny, i);
  if (!partly && !deniedSome) return { ...base, status: 'allowed' };
  const out: EffectiveAction = { ...base, status: 'conditional' };
  if (partly) {
    out.limits = [];
    for (const l of pr.layers) {
      if (has(l.allowFull, i)) continue;
      for (const s of l.allows) if (has(s.partial, i)) out.limits.push(pr.limits.get(s) as ScopeLimit);
    }
  }
  if (deniedSome) {
    out.conditionalDenies = pr.denies.filter((d) => has(d.s.partial, i)).map((d) => pr.limits.get(d.s) as ScopeLimit);
  }
  return out;
}

// Plainly allowed and not-allowed entries carry no statement detail, so they are the same for every configuration:
// built once per catalog action (frozen, so a caller cannot change another's result) instead of ~20,000 new objects
// per call — a live preview runs three passes per keystroke, and the garbage showed up as p95 spikes.
interface Interned {
  catalog: Catalog;
  allowed: Array<EffectiveAction | undefined>;
  notAllowed: Map<PolicyLayer[], Array<EffectiveAction | undefined>>;
  missing: Map<string, PolicyLayer[]>;
}
let internedEntries: Interned | undefined;

function internedFor(catalog: Catalog): Interned {
  if (internedEntries?.catalog !== catalog) {
    internedEntries = { catalog, allowed: new Array(catalog.actions.length), notAllowed: new Map(), missing: new Map() };
  }
  return internedEntries;
}

/**
 * Classifies every catalog action against the policies (see the header for the four outcomes).
 *
 * Word-wide: for 32 actions at a time the masks of "plainly allowed" and "not allowed by some layer" come from a few
 * AND/OR operations; only denied and conditional actions (usually a small minority) go through classify() to collect
 * their statements. Entries of plainly allowed / not-allowed actions are shared, frozen objects (see Interned).
 */
export function effectivePermissions(config: EffectiveConfig): EffectiveResult {
  const pr = prepare(config);
  const { catalog, n } = pr.m;
  const counts: Record<EffectiveStatus, number> = { allowed: 0, conditional: 0, denied: 0, notAllowed: 0 };
  let allowedCount = 0;
  let notAllowedCount = 0;
  // Filled in index order with push: a packed array (a preallocated one is holey, and slower to fill and read).
  const actions: EffectiveAction[] = [];
  const all = catalog.actions;
  const layers = pr.layers;
  const nl = layers.length;
  // Interned `missing` arrays (by the layers taking part and the bit mask of those that grant nothing) and the shared
  // not-allowed entries for each; looked up once per mask in this call, the last one kept at hand.
  const interned = internedFor(catalog);
  const layerKey = layers.map((l) => l.layer).join(',');
  const perMask = new Map<number, { missing: PolicyLayer[]; byIndex: Array<EffectiveAction | undefined> }>();
  let lastMask = -1;
  let last: { missing: PolicyLayer[]; byIndex: Array<EffectiveAction | undefined> } | undefined;
  const forMask = (mask: number) => {
    if (mask === lastMask && last) return last;
    let m = perMask.get(mask);
    if (!m) {
      const key = `${layerKey}/${mask}`;
      let missing = interned.missing.get(key);
      if (!missing) interned.missing.set(key, (missing = Object.freeze(layers.filter((_, j) => mask & (1 << j)).map((l) => l.layer)) as PolicyLayer[]));
      let byIndex = interned.notAllowed.get(missing);
      if (!byIndex) interned.notAllowed.set(missing, (byIndex = new Array(n)));
      perMask.set(mask, (m = { missing, byIndex }));
    }
    lastMask = mask;
    last = m;
    return m;
  };
  const words = pr.denyFull.length;
  for (let w = 0; w < words; w++) {
    const denied = pr.denyFull[w];
    let granted = ~0;
    let fully = ~pr.denyAny[w];
    for (let j = 0; j < nl; j++) {
      granted &= layers[j].allowAny[w];
      fully &= layers[j].allowFull[w];
    }
    const allowed = fully & ~denied & granted;
    const base = w << 5;
    const top = Math.min(32, n - base);
    for (let b = 0; b < top; b++) {
      const bit = 1 << b;
      const a = all[base + b];
      let e: EffectiveAction;
      if (allowed & bit) {
        e = interned.allowed[base + b] ??= Object.freeze({ action: a.id, service: a.service, accessLevel: a.accessLevel, status: 'allowed' }) as EffectiveAction;
        allowedCount++;
      } else if (!(denied & bit) && !(granted & bit)) {
        let mask = 0;
        for (let j = 0; j < nl; j++) if (!(layers[j].allowAny[w] & bit)) mask |= 1 << j;
        const m = forMask(mask);
        e = m.byIndex[base + b] ??= Object.freeze({ action: a.id, service: a.service, accessLevel: a.accessLevel, status: 'notAllowed', missing: m.missing }) as EffectiveAction;
        notAllowedCount++;
      } else {
        e = classify(pr, a);
        counts[e.status]++;
      }
      actions.push(e);
    }
  }
  counts.allowed += allowedCount;
  counts.notAllowed += notAllowedCount;
  for (const id of Object.keys(ALWAYS_ALLOWED)) {
    const a = catalog.action(id);
    if (!a) continue;
    const before = actions[a.index];
    const after = outsidePolicy(before);
    if (after === before) continue;
    counts[before.status]--;
    counts.allowed++;
    actions[a.index] = after;
  }
  let inSession: Record<SessionOutcome, number> | undefined;
  if (config.context) {
    inSession = { allowed: 0, denied: 0, depends: 0 };
    const memo = new Map<ScopeLimit, ConditionsVerdict>();
    for (const e of actions) {
      if (e.status !== 'conditional') continue;
      e.inSession = sessionVerdict(config.context, e, memo);
      inSession[e.inSession.outcome]++;
    }
  }
  return {
    layers: layers.map((l) => l.layer),
    actions,
    counts,
    ...(inSession ? { inSession } : {}),
    get: (action) => {
      const a = catalog.action(action);
      return a ? actions[a.index] : undefined;
    },
  };
}

/** Classifies one action (undefined if the action is not in the catalog). */
export function effectiveFor(config: EffectiveConfig, action: string): EffectiveAction | undefined {
  const a = loadCatalog().action(action);
  if (!a) return undefined;
  const e = outsidePolicy(classify(prepare(config), a));
  if (config.context && e.status === 'conditional') e.inSession = sessionVerdict(config.context, e, new Map());
  return e;
}

// ---------------------------------------------------------------------------------------------------------------
// The session split (see sessionContext.ts for the three-valued evaluation)

/** One partly-applying statement in the session: its conditions, and 'maybe' for any resource limit. */
function limitInSession(ctx: SessionContext, l: ScopeLimit, memo: Map<ScopeLimit, ConditionsVerdict>): ConditionsVerdict {
  let v = memo.get(l);
  if (v) return v;
  v = l.conditions ? conditionsInSession(ctx, l.conditions) : { result: 'true', keys: [] };
  if (v.result !== 'false' && (l.resources || l.notResources)) v = { result: 'maybe', keys: [...(v.result === 'maybe' ? v.keys : []), 'Resource'] };
  memo.set(l, v);
  return v;
}

/**
 * A conditional action in the session: denied if a conditional Deny applies to every request of the session, or if
 * some layer that grants it only partly has no statement that can apply in the session; allowed if every partly
 * granting layer has a statement applying to every request and no conditional Deny can apply; else it depends on the
 * request, with the keys the request decides.
 */
function sessionVerdict(ctx: SessionContext, e: EffectiveAction, memo: Map<ScopeLimit, ConditionsVerdict>): SessionVerdict {
  const open: string[] = [];
  const decided: string[] = [];
  for (const d of e.conditionalDenies ?? []) {
    const v = limitInSession(ctx, d, memo);
    if (v.result === 'true') return { outcome: 'denied', keys: v.keys, deniedBy: d.statement };
    (v.result === 'maybe' ? open : decided).push(...v.keys);
  }
  const byLayer = new Map<PolicyLayer, ScopeLimit[]>();
  for (const l of e.limits ?? []) {
    const list = byLayer.get(l.statement.layer);
    if (list) list.push(l);
    else byLayer.set(l.statement.layer, [l]);
  }
  for (const [layer, limits] of byLayer) {
    let best: 'true' | 'maybe' | 'false' = 'false';
    const falseKeys: string[] = [];
    const maybeKeys: string[] = [];
    for (const l of limits) {
      const v = limitInSession(ctx, l, memo);
      if (v.result === 'true') {
        best = 'true';
        decided.push(...v.keys);
        break;
      }
      if (v.result === 'maybe') {
        best = 'maybe';
        maybeKeys.push(...v.keys);
      } else falseKeys.push(...v.keys);
    }
    if (best === 'false') return { outcome: 'denied', keys: [...new Set(falseKeys)], missing: layer };
    if (best === 'maybe') open.push(...maybeKeys);
  }
  return open.length ? { outcome: 'depends', keys: [...new Set(open)] } : { outcome: 'allowed', keys: [...new Set(decided)] };
}

/** Whether a status means the action can be performed at least sometimes. */
export const isPermitted = (s: EffectiveStatus): boolean => s === 'allowed' || s === 'conditional';

/** One line describing why an action has its status, e.g. for a tooltip or the CLI. */
export function explainEffective(e: EffectiveAction): string {
  const ref = (r: StatementRef): string => `${r.layer} ${r.policy} statement ${r.statementIndex}${r.sid ? ` (${r.sid})` : ''}`;
  const scope = (l: ScopeLimit): string => {
    const parts: string[] = [];
    if (l.resources) parts.push(`on ${l.resources.join(', ')}`);
    if (l.notResources) parts.push(`except on ${l.notResources.join(', ')}`);
    if (l.conditions) parts.push(`if ${l.conditions.map((c) => `${c.operator} ${c.key}`).join(' and ')}`);
    return `${parts.join(' ')} (${ref(l.statement)})`;
  };
  switch (e.status) {
    case 'allowed':
      return `${e.action}: allowed on all resources`;
    case 'denied':
      return `${e.action}: explicitly denied by ${(e.deniedBy ?? []).map(ref).join('; ')}`;
    case 'notAllowed':
      return `${e.action}: not allowed — no ${(e.missing ?? []).join(' / ')} policy grants it`;
    case 'conditional': {
      const parts = (e.limits ?? []).map((l) => `allowed ${scope(l)}`);
      parts.push(...(e.conditionalDenies ?? []).map((l) => `denied ${scope(l)}`));
      const inSession = e.inSession
        ? `; in this session: ${e.inSession.outcome === 'depends' ? 'depends on the request' : e.inSession.outcome}${e.inSession.keys.length ? ` (${e.inSession.keys.join(', ')})` : ''}`
        : '';
      return `${e.action}: conditional — ${parts.join('; ')}${inSession}`;
    }
  }
}
