// Compile once, evaluate many times: a policy's statements become closures over pre-built matchers (action Sets and
// prefix lists, ARN globs, condition tests). Compiled policies are cached by the identity of the NamedPolicy object.
import { compileActionList, compileArnGlob, splitArn, type StringMatcher } from './match';
import { compileConditionBlock, contextLookup } from './conditions';
import { childPath, statementEntries, validatePolicy, validateStatementAt, type PolicyProblem } from './parse';
import { parseTemplate, resolveGlob, type PolicyTemplate } from './variables';
import type { NamedPolicy, Statement } from './types';
import type { RequestContext } from './evaluate';

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

function compileStatement(policy: string, index: number, path: string, raw: unknown, variablesEnabled: boolean): CompiledStatement {
  const problems = validateStatementAt(raw, path, variablesEnabled);
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
    };
  }
  const actionList = compileActionList(asList(notAction ? st.NotAction : st.Action));
  const matchesAction: StringMatcher = notAction ? (a) => !actionList(a) : actionList;

  const resourcePatterns = asList(notResource ? st.NotResource : st.Resource);
  const resourceIsAll = !notResource && resourcePatterns.some(matchesEverything);
  let anyResource: ResourceMatcher;
  if (resourcePatterns.some(matchesEverything)) anyResource = () => true;
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
  return {
    ...base, resourceIsAll, matchesAction, matchesResource, conditionsMatch,
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
  const problems = validatePolicy(doc);
  const version = doc !== null && typeof doc === 'object' ? (doc as { Version?: unknown }).Version : undefined;
  const variablesEnabled = version === '2012-10-17';
  const statements = statementEntries(doc).map(([path, st], i) => compileStatement(p.name, i, path, st, variablesEnabled));
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
