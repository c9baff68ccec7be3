// The Condition element: operators, set qualifiers, IfExists, and the request context they test.
//
// Semantics follow "IAM JSON policy elements: Condition operators"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html),
// "Conditions with multiple context keys or values"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html)
// and "Single-valued vs. multivalued context keys"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html):
//
// - several operators in a block are ANDed; several keys under one operator are ANDed; several values for one key are
//   ORed — and for a negated operator (StringNotEquals, NotIpAddress, ArnNotLike, ...) NORed: the request value must
//   match none of them;
// - a key missing from the request context makes a condition false, except that a negated operator is then true,
//   `...IfExists` is then true, and `Null` tests presence itself;
// - context key names are case-insensitive; values are case-sensitive unless the operator says IgnoreCase (Bool
//   compares `true`/`false` case-insensitively);
// - `ForAllValues:` is true when every request value matches (and when the key is missing or empty);
//   `ForAnyValue:` is true when at least one request value matches (false when the key is missing or empty). The
//   per-value test of a negated operator is "matches none of the policy values". IfExists adds nothing to a set
//   operator: missing keys are already decided by the set operator.
// - a multivalued request value under an operator without a set qualifier (which the docs say requires one) is
//   treated as: positive operator — any request value matches; negated operator — no request value matches.
// - a request value that is not valid for the operator's type (a non-number for Numeric*, a non-ARN for Arn*, ...)
//   matches neither the operator nor its negation.
import { compileArnGlob, compileGlob, splitArn, type StringMatcher } from './match';
import { parseTemplate, resolveGlob, resolveText, type ContextLookup, type PolicyTemplate } from './variables';
import type { RequestContext } from './evaluate';

export type ConditionFamily = 'String' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'IpAddress' | 'Arn' | 'Null';
export type SetQualifier = 'ForAllValues' | 'ForAnyValue';

export interface OperatorInfo {
  /** Canonical name, e.g. `StringNotEqualsIgnoreCase`. */
  name: string;
  family: ConditionFamily;
  /** A negated operator: true when the value matches none of the policy values (NOR). */
  negated: boolean;
  /** Whether policy variables are substituted in this operator's values (per the operator reference). */
  variables: boolean;
}

const op = (name: string, family: ConditionFamily, negated: boolean, variables: boolean): OperatorInfo =>
  ({ name, family, negated, variables });

/** Every base condition operator, without set qualifier or IfExists suffix. */
export const CONDITION_OPERATORS: readonly OperatorInfo[] = [
  op('StringEquals', 'String', false, true),
  op('StringNotEquals', 'String', true, true),
  op('StringEqualsIgnoreCase', 'String', false, true),
  op('StringNotEqualsIgnoreCase', 'String', true, true),
  op('StringLike', 'String', false, true),
  op('StringNotLike', 'String', true, true),
  op('NumericEquals', 'Numeric', false, false),
  op('NumericNotEquals', 'Numeric', true, false),
  op('NumericLessThan', 'Numeric', false, false),
  op('NumericLessThanEquals', 'Numeric', false, false),
  op('NumericGreaterThan', 'Numeric', false, false),
  op('NumericGreaterThanEquals', 'Numeric', false, false),
  op('DateEquals', 'Date', false, false),
  op('DateNotEquals', 'Date', true, false),
  op('DateLessThan', 'Date', false, false),
  op('DateLessThanEquals', 'Date', false, false),
  op('DateGreaterThan', 'Date', false, false),
  op('DateGreaterThanEquals', 'Date', false, false),
  op('Bool', 'Bool', false, true),
  op('BinaryEquals', 'Binary', false, false),
  op('IpAddress', 'IpAddress', false, false),
  op('NotIpAddress', 'IpAddress', true, false),
  op('ArnEquals', 'Arn', false, true),
  op('ArnLike', 'Arn', false, true),
  op('ArnNotEquals', 'Arn', true, true),
  op('ArnNotLike', 'Arn', true, true),
  op('Null', 'Null', false, false),
];

const OPERATORS_BY_LOWER = new Map(CONDITION_OPERATORS.map((o) => [o.name.toLowerCase(), o]));

export interface ParsedOperator {
  base: OperatorInfo;
  set?: SetQualifier;
  ifExists: boolean;
  /** The operator as it should be written, e.g. `ForAnyValue:StringLikeIfExists`. */
  canonical: string;
}

/**
 * Parses a Condition operator such as `ForAllValues:StringEqualsIgnoreCaseIfExists`. Names are looked up
 * case-insensitively; returns a message for an unknown or ill-formed operator.
 */
export function parseConditionOperator(name: string): ParsedOperator | string {
  let rest = name;
  let set: SetQualifier | undefined;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const q = rest.slice(0, colon).toLowerCase();
    if (q === 'forallvalues') set = 'ForAllValues';
    else if (q === 'foranyvalue') set = 'ForAnyValue';
    else return `unknown condition set operator '${rest.slice(0, colon)}' (expected ForAllValues or ForAnyValue)`;
    rest = rest.slice(colon + 1);
  }
  let base = OPERATORS_BY_LOWER.get(rest.toLowerCase());
  let ifExists = false;
  if (!base && /ifexists$/i.test(rest)) {
    base = OPERATORS_BY_LOWER.get(rest.slice(0, -'IfExists'.length).toLowerCase());
    ifExists = true;
  }
  if (!base) return `unknown condition operator '${name}'`;
  if (base.family === 'Null' && ifExists) return `'Null' cannot take the IfExists suffix`;
  if (base.family === 'Null' && set) return `'Null' cannot take a set operator (${set})`;
  const canonical = `${set ? set + ':' : ''}${base.name}${ifExists ? 'IfExists' : ''}`;
  return { base, set, ifExists, canonical };
}

/**
 * A set operator that does not fit the key's cardinality ("Single-valued vs. multivalued context keys",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html):
 * "Multivalued context keys require a condition set operator. Do not use condition set operators ForAllValues or
 * ForAnyValue with single-valued context keys. Using condition set operators with single-valued context keys can lead
 * to overly permissive policies." `keyType` is the Service Authorization Reference type (ArrayOfString, String, …);
 * undefined for an unknown key (no finding).
 */
export function setOperatorMismatch(op: ParsedOperator, keyType: string | undefined): 'multivalued-without-set' | 'set-on-single-valued' | undefined {
  if (!keyType || op.base.family === 'Null') return undefined;
  const multi = keyType.startsWith('ArrayOf');
  if (multi && !op.set) return 'multivalued-without-set';
  if (!multi && op.set) return 'set-on-single-valued';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Request context

/**
 * Context keys derived from the principal ARN when the request does not state them itself.
 *
 * For a role session (arn:aws:sts::…:assumed-role/NAME/SESSION), aws:PrincipalArn is the ARN of the *role*, with its
 * path ("AWS global condition context keys", aws:PrincipalArn: "For IAM roles, the request context returns the ARN
 * of the role, not the ARN of the user that assumed the role" —
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
 * The session ARN does not carry the path, so pass `roleArn` (from the configuration or IAM GetRole); without it the
 * role is assumed to have the path "/" and evaluation reports the statements that test aws:PrincipalArn as
 * uncertain (see compile.ts).
 */
export function principalContext(principal: string | undefined, roleArn?: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!principal) return out;
  const a = splitArn(principal);
  if (!a) return out;
  const [, partition, service, , account, resource] = a;
  if (account) out['aws:principalaccount'] = account;
  if (service === 'iam' && resource.startsWith('user/')) {
    out['aws:principalarn'] = principal;
    out['aws:principaltype'] = 'User';
    out['aws:username'] = resource.slice(resource.lastIndexOf('/') + 1);
  } else if (service === 'iam' && resource === 'root') {
    out['aws:principalarn'] = principal;
    out['aws:principaltype'] = 'Account';
  } else if (service === 'sts' && resource.startsWith('assumed-role/')) {
    // arn:aws:sts::111122223333:assumed-role/RoleName/SessionName → aws:PrincipalArn is the role's ARN.
    const [, role] = resource.split('/');
    if (roleArn && roleArnMatchesSession(roleArn, principal)) out['aws:principalarn'] = roleArn;
    else if (role) out['aws:principalarn'] = `arn:${partition}:iam::${account}:role/${role}`;
    out['aws:principaltype'] = 'AssumedRole';
  } else if (service === 'sts' && resource.startsWith('federated-user/')) {
    out['aws:principalarn'] = principal;
    out['aws:principaltype'] = 'FederatedUser';
  } else {
    out['aws:principalarn'] = principal;
  }
  return out;
}

/** Whether `roleArn` (arn:…:iam::ACCOUNT:role/PATH/NAME) is the role of the session ARN `sessionArn`. */
export function roleArnMatchesSession(roleArn: string, sessionArn: string): boolean {
  const r = splitArn(roleArn);
  const s = splitArn(sessionArn);
  if (!r || !s || r[2] !== 'iam' || !r[5].startsWith('role/') || s[2] !== 'sts' || !s[5].startsWith('assumed-role/')) return false;
  const roleName = r[5].slice(r[5].lastIndexOf('/') + 1);
  return r[1] === s[1] && r[4] === s[4] && s[5].split('/')[1] === roleName;
}

// The lookup of the most recent request: evaluation asks for it once per statement of the same request, so a
// single-entry memo hits almost always, without the GC cost of a WeakMap entry per request.
let lastRequest: RequestContext | undefined;
let lastLookup: ContextLookup | undefined;
const loweredContexts = new WeakMap<object, Map<string, string | string[]>>();
const principalMaps = new Map<string, Map<string, string>>();
const EMPTY = new Map<string, string>();

/** The context with lower-cased keys. Memoised only for frozen context objects, which cannot change afterwards. */
function lowered(ctx: Record<string, string | string[]>): Map<string, string | string[]> {
  const frozen = Object.isFrozen(ctx);
  let m = frozen ? loweredContexts.get(ctx) : undefined;
  if (!m) {
    m = new Map();
    for (const k of Object.keys(ctx)) m.set(k.toLowerCase(), ctx[k]);
    if (frozen) loweredContexts.set(ctx, m);
  }
  return m;
}

function principalMap(principal: string | undefined, roleArn: string | undefined): Map<string, string> {
  if (!principal) return EMPTY;
  const memoKey = roleArn ? `${principal}\u0000${roleArn}` : principal;
  let m = principalMaps.get(memoKey);
  if (!m) {
    if (principalMaps.size >= 4096) principalMaps.clear();
    m = new Map(Object.entries(principalContext(principal, roleArn)));
    principalMaps.set(memoKey, m);
  }
  return m;
}

/**
 * A case-insensitive view of a request's context (plus keys derived from the principal, which explicit context keys
 * override). Memoised for the most recent request object, so the many statements of one evaluation share it (treat a
 * request as immutable once evaluated); a frozen context object is lower-cased once for all requests that share it.
 */
export function contextLookup(request: RequestContext): ContextLookup {
  if (request === lastRequest && lastLookup) return lastLookup;
  const ctx = request.context ? lowered(request.context) : EMPTY;
  const fromPrincipal = principalMap(request.principal, request.roleArn);
  const l: ContextLookup = fromPrincipal.size ? (key) => ctx.get(key) ?? fromPrincipal.get(key) : (key) => ctx.get(key);
  lastRequest = request;
  lastLookup = l;
  return l;
}

// ---------------------------------------------------------------------------------------------------------------
// Value parsing

const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parseNumber(s: string): number | undefined {
  return NUMBER_RE.test(s.trim()) ? Number(s) : undefined;
}

const EPOCH_RE = /^-?\d+(?:\.\d+)?$/;
const ISO_RE =
  /^(\d{4})-?(\d{2})-?(\d{2})(?:[Tt ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Parses an ISO 8601 date/time (UTC unless an offset is given) or epoch seconds into epoch milliseconds. */
export function parseDate(raw: string): number | undefined {
  const s = raw.trim();
  if (EPOCH_RE.test(s)) return Math.round(Number(s) * 1000);
  const m = ISO_RE.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 24 || Number(mi) > 59 || Number(sec) > 60) {
    return undefined;
  }
  let ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(sec), frac ? Math.round(Number('0.' + frac) * 1000) : 0);
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    ms -= sign * offset * 60000;
  }
  return Number.isFinite(ms) ? ms : undefined;
}

/** An IPv4 or IPv6 network: address and prefix length. IPv4 addresses are numbers, IPv6 bigints. */
export type Cidr = { v6: false; addr: number; bits: number } | { v6: true; addr: bigint; bits: number };

function parseIpv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return undefined;
    n = n * 256 + o;
  }
  return n;
}

function parseIpv6(s: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const g = items[i];
      if (i === items.length - 1 && g.includes('.')) {
        const v4 = parseIpv4(g);
        if (v4 === undefined) return undefined;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) out.push(parseInt(g, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  let n = 0n;
  for (const g of all) n = (n << 16n) | BigInt(g);
  return n;
}

/** Parses `203.0.113.0/24`, `2001:DB8::/32` or a bare address (a /32 or /128 network). */
export function parseCidr(raw: string): Cidr | undefined {
  const s = raw.trim();
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const prefix = slash < 0 ? undefined : s.slice(slash + 1);
  if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) return undefined;
  const v4 = parseIpv4(addr);
  if (v4 !== undefined) {
    const bits = prefix === undefined ? 32 : Number(prefix);
    return bits > 32 ? undefined : { v6: false, addr: v4, bits };
  }
  const v6 = parseIpv6(addr);
  if (v6 !== undefined) {
    const bits = prefix === undefined ? 128 : Number(prefix);
    return bits > 128 ? undefined : { v6: true, addr: v6, bits };
  }
  return undefined;
}

const V4_MAPPED_PREFIX = 0xffffn << 32n;

/** Whether `ip` (an address) lies in `net`. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) counts as IPv4. */
export function cidrContains(net: Cidr, ip: Cidr): boolean {
  let addr: Cidr = ip;
  if (ip.v6 && !net.v6 && ip.addr >> 32n === 0xffffn && (ip.addr & ~0xffffffffn) === V4_MAPPED_PREFIX) {
    addr = { v6: false, addr: Number(ip.addr & 0xffffffffn), bits: 32 };
  }
  if (net.v6 !== addr.v6) return false;
  if (!net.v6 && !addr.v6) {
    if (net.bits === 0) return true;
    const shift = 32 - net.bits;
    return Math.floor(net.addr / 2 ** shift) === Math.floor(addr.addr / 2 ** shift);
  }
  const shift = BigInt(128 - net.bits);
  return (net.addr as bigint) >> shift === (addr.addr as bigint) >> shift;
}

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

function parseBase64(s: string): Buffer | undefined {
  const t = s.replace(/\s+/g, '');
  return t.length % 4 === 0 && BASE64_RE.test(t) ? Buffer.from(t, 'base64') : undefined;
}

/** Why a policy value is invalid for an operator family, or undefined if it is fine (used by validation). */
export function invalidValueReason(family: ConditionFamily, value: string): string | undefined {
  switch (family) {
    case 'Numeric': return parseNumber(value) === undefined ? `'${value}' is not a number` : undefined;
    case 'Date': return parseDate(value) === undefined ? `'${value}' is not an ISO 8601 date or epoch seconds` : undefined;
    case 'Bool':
      return /^(true|false)$/i.test(value) || value.includes('${') ? undefined : `'${value}' is not true or false`;
    case 'Null': return /^(true|false)$/i.test(value) ? undefined : `'${value}' is not true or false`;
    case 'Binary': return parseBase64(value) === undefined ? `'${value}' is not base64` : undefined;
    case 'IpAddress': return parseCidr(value) === undefined ? `'${value}' is not an IPv4/IPv6 address or CIDR block` : undefined;
    default: return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Compilation

/** Tests one request value against all of a key's policy values: true if any matches; undefined if the request value
 *  is not valid for the operator's type. */
type ValueTest = (requestValue: string) => boolean | undefined;
/** Prepares a ValueTest for one request (resolving policy variables); undefined when a variable cannot be resolved. */
type Prepare = (lookup: ContextLookup) => ValueTest | undefined;

/** One key under one operator, compiled. */
interface KeyCondition {
  key: string;
  test(lookup: ContextLookup): boolean;
}

/** A policy value as it appears in JSON, converted to the string IAM compares (`true` → "true", `10` → "10"). */
export function conditionValueStrings(v: unknown): string[] | undefined {
  const one = (x: unknown): string | undefined =>
    typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : undefined;
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const x of v) {
      const s = one(x);
      if (s === undefined) return undefined;
      out.push(s);
    }
    return out;
  }
  const s = one(v);
  return s === undefined ? undefined : [s];
}

function compareNumbers(name: string): (request: number, policy: number) => boolean {
  switch (name) {
    case 'LessThan': return (r, p) => r < p;
    case 'LessThanEquals': return (r, p) => r <= p;
    case 'GreaterThan': return (r, p) => r > p;
    case 'GreaterThanEquals': return (r, p) => r >= p;
    default: return (r, p) => r === p; // Equals, NotEquals (negation applied by the caller)
  }
}

/** Builds a Prepare from per-template resolution, with a constant fast path when no template has variables. */
function templated<T>(
  templates: PolicyTemplate[],
  resolve: (t: PolicyTemplate, lookup: ContextLookup) => T | undefined,
  build: (resolved: T[]) => ValueTest,
): Prepare {
  if (!templates.some((t) => t.hasVariables)) {
    const fixed = build(templates.map((t) => resolve(t, () => undefined) as T));
    return () => fixed;
  }
  return (lookup) => {
    const resolved: T[] = [];
    for (const t of templates) {
      const r = resolve(t, lookup);
      if (r === undefined) return undefined;
      resolved.push(r);
    }
    return build(resolved);
  };
}

function compileValues(base: OperatorInfo, values: string[], variablesEnabled: boolean): Prepare {
  const templates = values.map((v) => parseTemplate(v, variablesEnabled && base.variables));
  const name = base.name;
  switch (base.family) {
    case 'String': {
      if (name.includes('Like')) {
        return templated(templates, resolveGlob, (globs) => {
          const ms = globs.map((g) => compileGlob(g));
          return (v) => ms.some((m) => m(v));
        });
      }
      if (name.includes('IgnoreCase')) {
        return templated(templates, resolveText, (texts) => {
          const set = new Set(texts.map((t) => t.toLowerCase()));
          return (v) => set.has(v.toLowerCase());
        });
      }
      return templated(templates, resolveText, (texts) => {
        if (texts.length === 1) {
          const only = texts[0];
          return (v) => v === only;
        }
        const set = new Set(texts);
        return (v) => set.has(v);
      });
    }
    case 'Bool':
      return templated(templates, resolveText, (texts) => {
        const set = new Set(texts.map((t) => t.toLowerCase()));
        return (v) => set.has(v.toLowerCase());
      });
    case 'Arn':
      // ArnEquals and ArnLike behave the same: each of the six ARN parts is matched with wildcards, case-sensitively.
      return templated(templates, resolveGlob, (globs) => {
        const ms: StringMatcher[] = globs.map((g) => compileArnGlob(g));
        return (v) => (splitArn(v) ? ms.some((m) => m(v)) : undefined);
      });
    case 'Numeric': {
      const cmp = compareNumbers(name.replace(/^Numeric(Not)?/, ''));
      const policy = values.map(parseNumber).filter((n): n is number => n !== undefined);
      const test: ValueTest = (v) => {
        const r = parseNumber(v);
        return r === undefined ? undefined : policy.some((p) => cmp(r, p));
      };
      return () => test;
    }
    case 'Date': {
      const cmp = compareNumbers(name.replace(/^Date(Not)?/, ''));
      const policy = values.map(parseDate).filter((n): n is number => n !== undefined);
      const test: ValueTest = (v) => {
        const r = parseDate(v);
        return r === undefined ? undefined : policy.some((p) => cmp(r, p));
      };
      return () => test;
    }
    case 'Binary': {
      const policy = values.map(parseBase64).filter((b): b is Buffer => b !== undefined);
      const test: ValueTest = (v) => {
        const r = parseBase64(v);
        return r === undefined ? undefined : policy.some((p) => p.equals(r));
      };
      return () => test;
    }
    case 'IpAddress': {
      const nets = values.map(parseCidr).filter((c): c is Cidr => c !== undefined);
      const test: ValueTest = (v) => {
        const ip = parseCidr(v);
        return ip === undefined ? undefined : nets.some((n) => cidrContains(n, ip));
      };
      return () => test;
    }
    case 'Null':
      throw new Error('Null is handled by compileKey');
  }
}

function compileKey(parsed: ParsedOperator, key: string, values: string[], variablesEnabled: boolean): KeyCondition {
  const lowerKey = key.toLowerCase();
  const { base, set, ifExists } = parsed;
  if (base.family === 'Null') {
    // `"Null": {"key": "true"}` is true when the key is absent; "false" when it is present. Values are ORed.
    const wantAbsent = values.some((v) => v.toLowerCase() === 'true');
    const wantPresent = values.some((v) => v.toLowerCase() === 'false');
    return {
      key: lowerKey,
      test(lookup) {
        const v = lookup(lowerKey);
        const absent = v === undefined || (Array.isArray(v) && v.length === 0);
        return absent ? wantAbsent : wantPresent;
      },
    };
  }
  const prepare = compileValues(base, values, variablesEnabled);
  const negated = base.negated;
  // The per-request-value test: a positive operator needs some policy value to match; a negated one needs the value
  // to be valid and to match none of them.
  const element = (t: ValueTest, v: string): boolean => {
    const r = t(v);
    return negated ? r === false : r === true;
  };
  return {
    key: lowerKey,
    test(lookup) {
      const raw = lookup(lowerKey);
      const missing = raw === undefined || (Array.isArray(raw) && raw.length === 0);
      if (missing) {
        if (set === 'ForAllValues') return true;
        if (set === 'ForAnyValue') return false;
        return ifExists || negated;
      }
      const t = prepare(lookup);
      if (!t) return false; // a policy variable could not be resolved: the condition does not match
      if (typeof raw === 'string') return element(t, raw);
      if (set === 'ForAllValues') return raw.every((v) => element(t, v));
      if (set === 'ForAnyValue') return raw.some((v) => element(t, v));
      // No set qualifier on a multivalued value: positive → any value matches; negated → no value matches.
      return negated ? raw.every((v) => element(t, v)) : raw.some((v) => element(t, v));
    },
  };
}

export interface CompiledConditionBlock {
  /** True when every operator/key in the block holds for the request. */
  test(lookup: ContextLookup): boolean;
  /** Context keys the block reads (lower-cased). */
  keys: string[];
}

/**
 * Compiles a Condition element. Returns undefined when the block is malformed (unknown operator, bad value type):
 * the statement is then broken and never matches. Validation reports the details.
 */
export function compileConditionBlock(block: unknown, variablesEnabled: boolean): CompiledConditionBlock | undefined {
  if (block === null || typeof block !== 'object' || Array.isArray(block)) return undefined;
  const conditions: KeyCondition[] = [];
  for (const [opName, keys] of Object.entries(block as Record<string, unknown>)) {
    const parsed = parseConditionOperator(opName);
    if (typeof parsed === 'string') return undefined;
    if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) return undefined;
    for (const [key, rawValues] of Object.entries(keys as Record<string, unknown>)) {
      const values = conditionValueStrings(rawValues);
      if (!values || values.length === 0) return undefined;
      conditions.push(compileKey(parsed, key, values, variablesEnabled));
    }
  }
  const n = conditions.length;
  return {
    keys: [...new Set(conditions.map((c) => c.key))],
    test(lookup) {
      for (let i = 0; i < n; i++) if (!conditions[i].test(lookup)) return false;
      return true;
    },
  };
}

/**
 * Evaluates a Condition element against a request context — a convenience for tests and one-off checks (statements
 * compile their blocks once). Returns false for a malformed block.
 */
export function conditionBlockMatches(block: unknown, request: RequestContext, variablesEnabled = true): boolean {
  const c = compileConditionBlock(block, variablesEnabled);
  return c ? c.test(contextLookup(request)) : false;
}
