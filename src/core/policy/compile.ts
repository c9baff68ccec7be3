// Compile once, evaluate many times: a policy's statements become closures over pre-built matchers (action Sets and
// prefix lists, ARN globs, condition tests). Compiled policies are cached by the identity of the NamedPolicy object.
import { compileActionList, compileArnGlob, splitArn, type StringMatcher } from './match';
import { loadCatalog } from './catalog';
import { compileConditionBlock, conditionValueStrings, contextLookup, parseConditionOperator, roleArnMatchesSession, setOperatorMismatch } from './conditions';
import { childPath, statementEntries, validatePolicy, validateStatementAt, type PolicyProblem } from './parse';
import { parseTemplate, resolveGlob, type PolicyTemplate } from './variables';
import type { NamedPolicy, PolicyKind, Statement } from './types';
import type { RequestContext } from './evaluate';

/**
 * How a resource-based policy statement's Principal names the caller, which decides what else must allow the request
 * in the same account (see evaluate.ts): 'session' — the role-session ARN itself; 'user' — the IAM user's ARN;
 * 'role' — the ARN of the role behind the session; 'account' — the caller's account (delegates to IAM policies);
 * 'any' — "*" or a NotPrincipal that does not exclude the caller; 'none' — not the caller.
 */
export type PrincipalMatch = 'session' | 'user' | 'role' | 'account' | 'any' | 'none';

export interface CompiledStatement {
  /** The name of the policy the statement belongs to. */
  policy: string;
  /** Index in the policy's Statement array (0 for a single statement object). */
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Whether the Action (or, for NotAction, the complement) covers the action. False for a broken statement. */
  matchesAction(action: string): boolean;
  /** The statement as written. */
  statement: Statement;
  hasCondition: boolean;
  /** Resource is "*" (or a pattern matching every resource) and there is no NotResource. */
  resourceIsAll: boolean;
  notAction: boolean;
  notResource: boolean;
  /** Whether the Resource (or, for NotResource, the complement) covers the resource, variables resolved from ctx. */
  matchesResource(resource: string, ctx: RequestContext): boolean;
  /** Whether the Condition holds for the request (true when there is none). */
  conditionsMatch(ctx: RequestContext): boolean;
  /** A statement with grammar errors; it matches nothing. */
  broken: boolean;
  /** The statement's JSON path in the policy: `Statement[2]`, or `Statement` for a single object. */
  path: string;
  /** Whether the statement applies to the request: action, resource and condition all match. */
  appliesTo(request: RequestContext): boolean;
  /** Resource-based policies: how the Principal names the caller. 'any' for every other kind. */
  matchesPrincipal(request: RequestContext): PrincipalMatch;
  /**
   * Why this statement's meaning for the request is not settled by AWS's documentation (a set operator on a
   * single-valued key with the key absent, a multivalued key without a set operator and several values, an
   * aws:PrincipalArn test on a role session whose role path is unknown), or undefined.
   */
  uncertainty(request: RequestContext): string | undefined;
}

export interface CompiledPolicy {
  name: string;
  statements: CompiledStatement[];
  problems: PolicyProblem[];
}

const never = (): boolean => false;

/** Matches one Resource/NotResource entry; variables are resolved per request. */
type ResourceMatcher = (resource: string, ctx: RequestContext) => boolean;

function compileResourcePattern(t: PolicyTemplate): ResourceMatcher {
  if (!t.hasVariables) {
    const m = compileArnGlob(compileGlobSource(t));
    return (resource) => m(resource);
  }
  // With variables: resolve, then compile (memoised on the resolved text, which repeats across requests).
  const memo = new Map<string, StringMatcher>();
  return (resource, ctx) => {
    const g = resolveGlob(t, contextLookup(ctx));
    if (!g) return false; // an unresolvable variable: the pattern matches nothing
    const k = g.chars + '\u0000' + g.kinds.join('');
    let m = memo.get(k);
    if (!m) {
      if (memo.size > 1024) memo.clear();
      m = compileArnGlob(g);
      memo.set(k, m);
    }
    return m(resource);
  };
}

function compileGlobSource(t: PolicyTemplate) {
  const g = resolveGlob(t, () => undefined);
  if (!g) throw new Error('unreachable: a template without variables always resolves');
  return g;
}

const asList = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Whether a Resource pattern matches every resource, including non-ARN ones like "*": only all-star patterns do. */
function matchesEverything(pattern: string): boolean {
  return pattern.length > 0 && /^\*+$/.test(pattern);
}

/** One condition key whose operator does not fit its cardinality (see setOperatorMismatch). */
export interface Ambiguity {
  key: string;
  lowerKey: string;
  operator: string;
  kind: 'multivalued-without-set' | 'set-on-single-valued';
}

/**
 * The condition keys of a Condition element whose operator does not fit the key's cardinality, and whether it tests
 * aws:PrincipalArn — for views that classify statements without a request (the preview marks them uncertain).
 */
export function conditionAmbiguities(cond: unknown): { ambiguities: Ambiguity[]; readsPrincipalArn: boolean } {
  const ambiguities: Ambiguity[] = [];
  let readsPrincipalArn = false;
  if (!cond || typeof cond !== 'object') return { ambiguities, readsPrincipalArn };
  let catalog: ReturnType<typeof loadCatalog> | undefined;
  for (const [opName, keys] of Object.entries(cond as Record<string, unknown>)) {
    const op = parseConditionOperator(opName);
    if (typeof op === 'string' || !keys || typeof keys !== 'object') continue;
    for (const key of Object.keys(keys as object)) {
      const lowerKey = key.toLowerCase();
      if (lowerKey === 'aws:principalarn') readsPrincipalArn = true;
      catalog ??= loadCatalog();
      const kind = setOperatorMismatch(op, catalog.conditionKeyType(key));
      if (kind) ambiguities.push({ key, lowerKey, operator: op.canonical, kind });
    }
  }
  return { ambiguities, readsPrincipalArn };
}

const ROLE_SESSION = /^arn:[^:]+:sts::\d{12}:assumed-role\//;

/** The statement's Principal / NotPrincipal as a matcher (resource-based policies). */
function compilePrincipal(st: Statement): (request: RequestContext) => PrincipalMatch {
  const raw = st.Principal !== undefined ? st.Principal : st.NotPrincipal;
  const not = st.Principal === undefined && st.NotPrincipal !== undefined;
  if (raw === undefined) return () => 'none';
  const aws = raw === '*' ? ['*'] : conditionValueStrings((raw as Record<string, unknown>).AWS) ?? [];
  const match = (request: RequestContext): PrincipalMatch => {
    const p = request.principal;
    let best: PrincipalMatch = 'none';
    const rank: Record<PrincipalMatch, number> = { none: 0, account: 1, any: 2, role: 3, user: 4, session: 4 };
    const better = (m: PrincipalMatch) => { if (rank[m] > rank[best]) best = m; };
    for (const v of aws) {
      if (v === '*') { better('any'); continue; }
      if (!p) continue;
      const account = /^\d{12}$/.test(v) ? v : /^arn:[^:]+:iam::(\d{12}):root$/.exec(v)?.[1];
      const callerAccount = p.split(':')[4];
      if (account !== undefined) { if (account === callerAccount) better('account'); continue; }
      if (v === p) { better(ROLE_SESSION.test(p) ? 'session' : /:iam::\d{12}:user\//.test(p) ? 'user' : 'role'); continue; }
      if (ROLE_SESSION.test(p) && v.includes(':role/')) {
        // A role ARN names every session of the role; the role's path is part of its ARN.
        const roleArn = request.roleArn && roleArnMatchesSession(request.roleArn, p) ? request.roleArn
          : `arn:${p.split(':')[1]}:iam::${callerAccount}:role/${p.split(':')[5].split('/')[1]}`;
        if (v === roleArn) better('role');
      }
    }
    return best;
  };
  if (!not) return match;
  // NotPrincipal: every principal except those listed (an account listed excludes all of its principals).
  return (request) => (match(request) === 'none' ? 'any' : 'none');
}

function compileStatement(policy: string, index: number, path: string, raw: unknown, variablesEnabled: boolean, kind: PolicyKind): CompiledStatement {
  const problems = validateStatementAt(raw, path, variablesEnabled, kind);
  const st = (raw !== null && typeof raw === 'object' ? raw : {}) as Statement;
  const broken = problems.some((p) => p.severity === 'error');
  const effect: 'Allow' | 'Deny' = st.Effect === 'Deny' ? 'Deny' : 'Allow';
  const sid = typeof st.Sid === 'string' ? st.Sid : undefined;
  const notAction = st.NotAction !== undefined && st.Action === undefined;
  const notResource = st.NotResource !== undefined && st.Resource === undefined;
  const hasCondition = st.Condition !== undefined && st.Condition !== null && Object.keys(st.Condition).length > 0;
  const base = { policy, index, sid, effect, statement: st, hasCondition, notAction, notResource, broken, path };
  if (broken) {
    return {
      ...base, resourceIsAll: false,
      matchesAction: never, matchesResource: never, conditionsMatch: never, appliesTo: never,
      matchesPrincipal: () => 'none', uncertainty: () => undefined,
    };
  }
  const actionList = compileActionList(asList(notAction ? st.NotAction : st.Action));
  const matchesAction: StringMatcher = notAction ? (a) => !actionList(a) : actionList;

  const resourcePatterns = asList(notResource ? st.NotResource : st.Resource);
  // A resource-based policy may omit Resource (a trust policy): it is about the resource it is attached to.
  const noResource = st.Resource === undefined && st.NotResource === undefined;
  const resourceIsAll = noResource || (!notResource && resourcePatterns.some(matchesEverything));
  let anyResource: ResourceMatcher;
  if (noResource || resourcePatterns.some(matchesEverything)) anyResource = () => true;
  else {
    const ms = resourcePatterns.map((p) => compileResourcePattern(parseTemplate(p, variablesEnabled)));
    anyResource = ms.length === 1 ? ms[0] : (r, ctx) => ms.some((m) => m(r, ctx));
  }
  const matchesResource: ResourceMatcher = notResource ? (r, ctx) => !anyResource(r, ctx) : anyResource;

  let conditionsMatch: (ctx: RequestContext) => boolean = () => true;
  if (hasCondition) {
    const block = compileConditionBlock(st.Condition, variablesEnabled);
    conditionsMatch = block ? (ctx) => block.test(contextLookup(ctx)) : never;
  }
  const matchesPrincipal = kind === 'resource' ? compilePrincipal(st) : () => 'any' as const;
  const { ambiguities, readsPrincipalArn } = conditionAmbiguities(hasCondition ? st.Condition : undefined);
  let uncertainty: (req: RequestContext) => string | undefined = () => undefined;
  if (ambiguities.length || readsPrincipalArn) {
    uncertainty = (req) => {
      const lookup = contextLookup(req);
      for (const a of ambiguities) {
        const v = lookup(a.lowerKey);
        const values = v === undefined ? 0 : Array.isArray(v) ? v.length : 1;
        if (a.kind === 'set-on-single-valued' && values === 0) {
          return `${a.operator} on the single-valued key ${a.key}, which the request does not carry: AWS warns that set operators on single-valued keys "can lead to overly permissive policies"`;
        }
        if (a.kind === 'multivalued-without-set' && values > 1) {
          return `${a.operator} without ForAllValues/ForAnyValue on the multivalued key ${a.key}, which has ${values} values here: AWS requires a set operator for multivalued keys`;
        }
      }
      if (readsPrincipalArn && req.principal && ROLE_SESSION.test(req.principal) && !req.roleArn &&
        !Object.keys(req.context ?? {}).some((k) => k.toLowerCase() === 'aws:principalarn')) {
        return 'tests aws:PrincipalArn of a role session whose role path is unknown (give the role ARN with its path)';
      }
      return undefined;
    };
  }
  return {
    ...base, resourceIsAll, matchesAction, matchesResource, conditionsMatch, matchesPrincipal, uncertainty,
    appliesTo: (req) => matchesAction(req.action) && matchesResource(req.resource, req) && conditionsMatch(req),
  };
}

const cache = new WeakMap<NamedPolicy, CompiledPolicy>();

/**
 * Compiles a policy (cached by object identity: compiling the same NamedPolicy object again is free). Never throws:
 * grammar problems are returned, and a statement with errors compiles to one that matches nothing.
 */
export function compilePolicy(p: NamedPolicy): CompiledPolicy {
  const hit = cache.get(p);
  if (hit) return hit;
  const doc = p.document as unknown;
  const kind = p.kind ?? 'identity';
  const problems = validatePolicy(doc, kind);
  const version = doc !== null && typeof doc === 'object' ? (doc as { Version?: unknown }).Version : undefined;
  const variablesEnabled = version === '2012-10-17';
  const statements = statementEntries(doc).map(([path, st], i) => compileStatement(p.name, i, path, st, variablesEnabled, kind));
  const compiled: CompiledPolicy = { name: p.name, statements, problems };
  cache.set(p, compiled);
  return compiled;
}

/** Whether a string looks like an ARN (six colon-separated parts). */
export function isArn(s: string): boolean {
  return splitArn(s) !== undefined;
}

/** JSON path of a statement's element, e.g. statementElementPath(s, 'Resource') → `Statement[1].Resource`. */
export function statementElementPath(s: CompiledStatement, element: string): string {
  return childPath(s.path, element);
}
