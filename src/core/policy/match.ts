// Wildcard matching for IAM policies: actions (case-insensitive, `*` and `?`), ARNs (case-sensitive, matched segment
// by segment) and plain strings (StringLike). Matching is a linear-time glob algorithm (no RegExp, so no catastrophic
// backtracking on hostile patterns), and every pattern is compiled once into a closure with fast paths for the
// common shapes (exact, `*`, `prefix*`, `*suffix`, `*infix*`).
//
// References: "IAM JSON policy elements: Action" / "Resource" and the StringLike / ArnLike rows of "IAM JSON policy
// elements: Condition operators" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).

/** A compiled predicate over one string. */
export type StringMatcher = (value: string) => boolean;

const KIND_LITERAL = 0;
const KIND_STAR = 1;
const KIND_QUESTION = 2;

/**
 * A glob whose wildcards are explicit, so a literal `*` or `?` (from the `${*}` / `${?}` policy-variable escapes, or
 * from a substituted variable value) can be told apart from a wildcard.
 */
export interface GlobPattern {
  /** The pattern's characters (UTF-16 code units), lower-cased if the glob is case-insensitive. */
  chars: string;
  /** Per character: 0 literal, 1 `*`, 2 `?`. */
  kinds: Uint8Array;
}

/** A glob in which every `*` and `?` is a wildcard. */
export function globFromPattern(pattern: string): GlobPattern {
  const kinds = new Uint8Array(pattern.length);
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    kinds[i] = c === 42 /* * */ ? KIND_STAR : c === 63 /* ? */ ? KIND_QUESTION : KIND_LITERAL;
  }
  return { chars: pattern, kinds };
}

/** A glob in which nothing is a wildcard. */
export function globLiteral(text: string): GlobPattern {
  return { chars: text, kinds: new Uint8Array(text.length) };
}

/** Concatenates globs (used when policy variables are substituted into a pattern). */
export function concatGlobs(parts: GlobPattern[]): GlobPattern {
  if (parts.length === 1) return parts[0];
  let length = 0;
  for (const p of parts) length += p.chars.length;
  const kinds = new Uint8Array(length);
  let chars = '';
  let at = 0;
  for (const p of parts) {
    kinds.set(p.kinds, at);
    at += p.kinds.length;
    chars += p.chars;
  }
  return { chars, kinds };
}

/** Whether the glob has any wildcard. */
export function globHasWildcard(g: GlobPattern): boolean {
  for (let i = 0; i < g.kinds.length; i++) if (g.kinds[i] !== KIND_LITERAL) return true;
  return false;
}

/**
 * The core glob algorithm: greedy with single-star backtracking, O(|pattern| × |value|) in the worst case and linear in
 * the common case. `value` must already be lower-cased for a case-insensitive glob.
 */
function globMatches(chars: string, kinds: Uint8Array, value: string): boolean {
  const pl = chars.length;
  const vl = value.length;
  let p = 0;
  let v = 0;
  let star = -1;
  let mark = 0;
  while (v < vl) {
    if (p < pl) {
      const k = kinds[p];
      if (k === KIND_STAR) {
        star = p++;
        mark = v;
        continue;
      }
      if (k === KIND_QUESTION || chars.charCodeAt(p) === value.charCodeAt(v)) {
        p++;
        v++;
        continue;
      }
    }
    if (star < 0) return false;
    p = star + 1;
    v = ++mark;
  }
  while (p < pl && kinds[p] === KIND_STAR) p++;
  return p === pl;
}

/**
 * Compiles a glob into a matcher. With `caseInsensitive`, the matcher lower-cases its input unless
 * `inputIsLowerCase` promises the caller already did.
 */
export function compileGlob(g: GlobPattern, caseInsensitive = false, inputIsLowerCase = false): StringMatcher {
  const chars = caseInsensitive ? g.chars.toLowerCase() : g.chars;
  // toLowerCase can change the length for a few non-ASCII characters; fall back to the generic path then.
  const kinds = chars.length === g.kinds.length ? g.kinds : globFromPattern(chars).kinds;
  const fold = caseInsensitive && !inputIsLowerCase;
  let stars = 0;
  let questions = 0;
  for (let i = 0; i < kinds.length; i++) {
    if (kinds[i] === KIND_STAR) stars++;
    else if (kinds[i] === KIND_QUESTION) questions++;
  }
  let inner: StringMatcher;
  const n = chars.length;
  if (stars === 0 && questions === 0) {
    inner = (v) => v === chars;
  } else if (questions === 0 && stars === n) {
    return () => true;
  } else if (questions === 0 && stars === 1 && kinds[n - 1] === KIND_STAR) {
    const prefix = chars.slice(0, n - 1);
    inner = (v) => v.startsWith(prefix);
  } else if (questions === 0 && stars === 1 && kinds[0] === KIND_STAR) {
    const suffix = chars.slice(1);
    inner = (v) => v.endsWith(suffix);
  } else if (questions === 0 && stars === 2 && n > 2 && kinds[0] === KIND_STAR && kinds[n - 1] === KIND_STAR) {
    const infix = chars.slice(1, n - 1);
    inner = (v) => v.includes(infix);
  } else {
    inner = (v) => globMatches(chars, kinds, v);
  }
  return fold ? (v) => inner(v.toLowerCase()) : inner;
}

// Small bounded caches so the convenience functions below do not recompile the same pattern on every call.
const MAX_CACHE = 4096;
const sensitiveCache = new Map<string, StringMatcher>();
const insensitiveCache = new Map<string, StringMatcher>();

function cachedMatcher(pattern: string, caseInsensitive: boolean): StringMatcher {
  const cache = caseInsensitive ? insensitiveCache : sensitiveCache;
  let m = cache.get(pattern);
  if (!m) {
    if (cache.size >= MAX_CACHE) cache.clear();
    m = compileGlob(globFromPattern(pattern), caseInsensitive);
    cache.set(pattern, m);
  }
  return m;
}

/** `*` matches any run of characters (including none), `?` exactly one; everything else literally. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  return cachedMatcher(pattern, caseInsensitive)(value);
}

/** IAM action matching: case-insensitive, with `*` and `?` wildcards (`s3:Get*` matches `s3:getobject`). */
export function actionMatches(pattern: string, action: string): boolean {
  return cachedMatcher(pattern, true)(action);
}

// ---------------------------------------------------------------------------------------------------------------
// Action lists

// Lower-cased action names, memoised: a full-catalog analysis asks about the same ~20k action strings for every
// statement, and a Map hit on an already-hashed string is much cheaper than toLowerCase.
const lowerCache = new Map<string, string>();
const MAX_LOWER_CACHE = 65536;

/** `s.toLowerCase()`, memoised for the hot action-matching path. */
export function lowerCached(s: string): string {
  let l = lowerCache.get(s);
  if (l === undefined) {
    if (lowerCache.size >= MAX_LOWER_CACHE) lowerCache.clear();
    l = s.toLowerCase();
    lowerCache.set(s, l);
  }
  return l;
}

/**
 * Compiles a list of action patterns (an Action or NotAction element) into one predicate that is true when any pattern
 * matches. Exact names go into a Set, `service:Prefix*` patterns into a prefix list, the rest into generic globs.
 */
export function compileActionList(patterns: readonly string[]): StringMatcher {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const globs: StringMatcher[] = [];
  for (const raw of patterns) {
    const p = raw.toLowerCase();
    const star = p.indexOf('*');
    const q = p.indexOf('?');
    if (star < 0 && q < 0) exact.add(p);
    else if (q < 0 && star === p.length - 1) {
      if (star === 0) return () => true; // "*"
      prefixes.push(p.slice(0, -1));
    } else globs.push(compileGlob(globFromPattern(p), true, true));
  }
  const np = prefixes.length;
  const ng = globs.length;
  if (np === 0 && ng === 0) return (action) => exact.has(lowerCached(action));
  return (action) => {
    const a = lowerCached(action);
    if (exact.has(a)) return true;
    for (let i = 0; i < np; i++) if (a.startsWith(prefixes[i])) return true;
    for (let i = 0; i < ng; i++) if (globs[i](a)) return true;
    return false;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// ARNs

/**
 * Splits an ARN into its six parts: `arn`, partition, service, region, account, resource. The resource part keeps any
 * further colons (`arn:aws:logs:us-east-1:1:log-group:x:*`). Returns undefined for a string with fewer than six parts.
 */
export function splitArn(arn: string): [string, string, string, string, string, string] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const c = arn.indexOf(':', start);
    if (c < 0) return undefined;
    parts.push(arn.slice(start, c));
    start = c + 1;
  }
  parts.push(arn.slice(start));
  return parts as [string, string, string, string, string, string];
}

/** Splits a glob at its first five literal colons, like splitArn. */
function splitGlobArn(g: GlobPattern): GlobPattern[] | undefined {
  const out: GlobPattern[] = [];
  let start = 0;
  for (let i = 0; i < g.chars.length && out.length < 5; i++) {
    if (g.chars.charCodeAt(i) === 58 /* : */ && g.kinds[i] === KIND_LITERAL) {
      out.push({ chars: g.chars.slice(start, i), kinds: g.kinds.subarray(start, i) });
      start = i + 1;
    }
  }
  if (out.length < 5) return undefined;
  out.push({ chars: g.chars.slice(start), kinds: g.kinds.subarray(start) });
  return out;
}

/**
 * Compiles an ARN pattern (a Resource entry, or an ArnLike/ArnEquals value). `*` alone matches anything; otherwise the
 * pattern and the ARN are each split into their six parts and every part is wildcard-matched on its own, so a
 * wildcard never spans a `:` between parts (but may within the resource part). Case-sensitive. A pattern that is not
 * a six-part ARN can only match a non-ARN value (e.g. the resource `*` of an action without resource types) exactly.
 */
export function compileArnGlob(g: GlobPattern): StringMatcher {
  let allStars = g.chars.length > 0;
  for (let i = 0; i < g.kinds.length; i++) if (g.kinds[i] !== KIND_STAR) allStars = false;
  if (allStars) return () => true;
  const parts = splitGlobArn(g);
  if (!parts) {
    const whole = compileGlob(g);
    return (arn) => splitArn(arn) === undefined && whole(arn);
  }
  const matchers = parts.map((p) => compileGlob(p));
  const [m0, m1, m2, m3, m4, m5] = matchers;
  return (arn) => {
    const a = splitArn(arn);
    if (!a) return false;
    return m0(a[0]) && m1(a[1]) && m2(a[2]) && m3(a[3]) && m4(a[4]) && m5(a[5]);
  };
}

const arnCache = new Map<string, StringMatcher>();

/** ARN-aware, case-sensitive wildcard match (see compileArnGlob). */
export function arnMatches(pattern: string, arn: string): boolean {
  let m = arnCache.get(pattern);
  if (!m) {
    if (arnCache.size >= MAX_CACHE) arnCache.clear();
    m = compileArnGlob(globFromPattern(pattern));
    arnCache.set(pattern, m);
  }
  return m(arn);
}
