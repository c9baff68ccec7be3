// Batch simulation: JSON Lines in, one decision per line out, in order.
//
// Input line:  {"id":"c1","principal":"arn:…","action":"s3:GetObject","resource":"arn:aws:s3:::b/k",
//               "context":{"aws:MultiFactorAuthPresent":"true"},"identityPolicies":[{…}],
//               "permissionsBoundary":{…}|null,"sessionPolicy":{…}|null}
// Output line: {"id":"c1","decision":"Allowed"|"ExplicitDeny"|"ImplicitDeny"}
//              or {"id":"c1"|null,"error":"…"} for a malformed line (processing continues). Blank lines are skipped.
//
// Throughput: batch files typically repeat the same few policies on every line. Each line is split into its
// top-level members by a small scanner, and the raw text of the policy members is the cache key for the compiled
// policies — a repeated policy is neither re-parsed nor re-compiled. Output is written in large chunks, honouring
// back-pressure.
import { StringDecoder } from 'string_decoder';
import type { Readable, Writable } from 'stream';
import { evaluate, type RequestContext } from './evaluate';
import type { NamedPolicy, PolicyDocument } from './types';

export interface BatchResult {
  /** Lines answered (decisions and errors; blank lines are not counted). */
  count: number;
  /** Lines answered with an error. */
  errors: number;
}

/** A user-facing error for one line. */
class LineError extends Error {}

/** A member's raw value text: [start, end) in the line, and the known text it equals, if it was recognised. */
interface Span {
  start: number;
  end: number;
  known?: string;
}

/** Recently seen raw texts of large members (policies), per member name, most recent first. */
type Hints = Map<string, string[]>;
const MAX_HINTS = 8;

/** Records a member's raw text as a hint for the following lines. */
function remember(hints: Hints, key: string, text: string): void {
  let list = hints.get(key);
  if (!list) hints.set(key, (list = []));
  list.unshift(text);
  if (list.length > MAX_HINTS) list.pop();
}

const STRUCTURE = /["{}[\]]/g;

/**
 * Splits a JSON object's text into its top-level members without building the values: key → raw value span. Returns
 * undefined if the text is not a well-formed JSON object at the top level (the caller then uses JSON.parse for an
 * exact error message); nested values are only skipped, and JSON.parse checks them when they are used.
 *
 * A nested value that starts with the exact text of a recently seen value of the same member (`hints`) and is
 * followed by `,` or `}` is that value: a startsWith compare instead of a scan, and the caller gets the hint string
 * itself, whose hash the caches already know.
 */
function scanMembers(line: string, hints: Hints): Map<string, Span> | undefined {
  const n = line.length;
  let i = 0;
  const ws = () => {
    while (i < n) {
      const c = line.charCodeAt(i);
      if (c === 32 || c === 9 || c === 13 || c === 10) i++;
      else break;
    }
  };
  /** From an opening quote at i, moves i past the closing quote. */
  const skipString = (): boolean => {
    let j = i + 1;
    for (;;) {
      const q = line.indexOf('"', j);
      if (q < 0) return false;
      let backslashes = 0;
      for (let k = q - 1; line.charCodeAt(k) === 92; k--) backslashes++;
      if (backslashes % 2 === 0) {
        i = q + 1;
        return true;
      }
      j = q + 1;
    }
  };
  /** From an opening bracket at i, moves i past the matching closing bracket. */
  const skipNested = (): boolean => {
    let depth = 0;
    STRUCTURE.lastIndex = i;
    for (;;) {
      const m = STRUCTURE.exec(line);
      if (!m) return false;
      const c = m[0];
      if (c === '"') {
        i = m.index;
        if (!skipString()) return false;
        STRUCTURE.lastIndex = i;
      } else if (c === '{' || c === '[') depth++;
      else if (--depth === 0) {
        i = m.index + 1;
        return true;
      }
    }
  };
  const followedByEnd = (at: number): boolean => {
    let j = at;
    while (j < n && (line.charCodeAt(j) === 32 || line.charCodeAt(j) === 9)) j++;
    const c = line.charCodeAt(j);
    return c === 44 || c === 125;
  };
  const members = new Map<string, Span>();
  ws();
  if (line.charCodeAt(i) !== 123) return undefined;
  i++;
  ws();
  if (line.charCodeAt(i) === 125) { i++; ws(); return i === n ? members : undefined; }
  for (;;) {
    if (line.charCodeAt(i) !== 34) return undefined;
    const keyStart = i;
    if (!skipString()) return undefined;
    const rawKey = line.slice(keyStart + 1, i - 1);
    const key = rawKey.includes('\\') ? (JSON.parse(line.slice(keyStart, i)) as string) : rawKey;
    ws();
    if (line.charCodeAt(i) !== 58) return undefined;
    i++;
    ws();
    const start = i;
    const c = line.charCodeAt(i);
    let known: string | undefined;
    if (c === 123 || c === 91) {
      for (const h of hints.get(key) ?? []) {
        // substr + === is a memcmp; startsWith is several times slower on long strings in V8.
        if (line.substr(start, h.length) === h && followedByEnd(start + h.length)) {
          known = h;
          i = start + h.length;
          break;
        }
      }
      if (!known && !skipNested()) return undefined;
    } else if (c === 34) {
      if (!skipString()) return undefined;
    } else {
      while (i < n) {
        const d = line.charCodeAt(i);
        if (d === 44 || d === 125 || d === 32 || d === 9 || d === 13) break;
        i++;
      }
      if (i === start) return undefined;
    }
    members.set(key, known ? { start, end: i, known } : { start, end: i });
    ws();
    const e = line.charCodeAt(i);
    if (e === 44) { i++; ws(); continue; }
    if (e === 125) { i++; ws(); return i === n ? members : undefined; }
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A bounded memo: cleared when full, which is fine for the repeated-policy workload it serves. */
class Memo<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string, make: () => V): V {
    let v = this.map.get(key);
    if (v === undefined) {
      v = make();
      if (this.map.size >= this.max) this.map.clear();
      this.map.set(key, v);
    }
    return v;
  }
}

/** A cached value, or the error its text produced (so a bad repeated policy is reported on every line). */
type Cached<T> = { ok: true; value: T } | { ok: false; error: string };

function policyDocument(v: unknown, what: string): PolicyDocument {
  if (!isObject(v)) throw new LineError(`${what} must be a policy document (a JSON object)`);
  return v as unknown as PolicyDocument;
}

function parseContext(v: unknown): Record<string, string | string[]> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new LineError('"context" must be an object of context key → string or array of strings');
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') continue;
    if (Array.isArray(x) && x.every((e) => typeof e === 'string')) continue;
    throw new LineError(`context key "${k}" must be a string or an array of strings`);
  }
  return v as Record<string, string | string[]>;
}

/**
 * Compiles and caches the per-line pieces that repeat across lines, keyed by their raw JSON text: the same text
 * yields the same NamedPolicy objects, whose compiled form compilePolicy caches by identity.
 */
class BatchCaches {
  readonly hints: Hints = new Map();
  private readonly identity = new Memo<Cached<NamedPolicy[]>>(2048);
  private readonly boundaries = new Memo<Cached<NamedPolicy>>(2048);
  private readonly sessions = new Memo<Cached<NamedPolicy>>(2048);
  private readonly contexts = new Memo<Cached<Record<string, string | string[]>>>(4096);

  private static attempt<T>(make: () => T): Cached<T> {
    try {
      return { ok: true, value: make() };
    } catch (e) {
      return { ok: false, error: e instanceof LineError ? e.message : `invalid JSON: ${(e as Error).message}` };
    }
  }

  /** The raw text of a member; remembered as a hint when it was not one already. */
  private raw(line: string, key: string, span: Span): string {
    if (span.known !== undefined) return span.known;
    const text = line.slice(span.start, span.end);
    // Hints outlive their line: keep a flat copy rather than a slice that would pin the whole line in memory.
    if (text.length >= 64) remember(this.hints, key, JSON.parse(JSON.stringify(text)) as string);
    return text;
  }

  private member<T>(memo: Memo<Cached<T>>, line: string, key: string, span: Span, make: (v: unknown) => T): T {
    const c = memo.get(this.raw(line, key, span), () =>
      BatchCaches.attempt(() => make(JSON.parse(line.slice(span.start, span.end)))));
    if (!c.ok) throw new LineError(c.error.startsWith('invalid JSON') ? `"${key}": ${c.error}` : c.error);
    return c.value;
  }

  identityPolicies(line: string, span: Span): NamedPolicy[] {
    return this.member(this.identity, line, 'identityPolicies', span, (v) => {
      if (!Array.isArray(v)) throw new LineError('"identityPolicies" must be an array of policy documents');
      return v.map((d, i) => ({ name: `identityPolicies[${i}]`, document: policyDocument(d, `identityPolicies[${i}]`) }));
    });
  }

  /** The permissions boundary or session policy; null for JSON null. */
  policy(line: string, key: 'permissionsBoundary' | 'sessionPolicy', span: Span): NamedPolicy | null {
    if (line.startsWith('null', span.start) && span.end - span.start === 4) return null;
    return this.member(key === 'sessionPolicy' ? this.sessions : this.boundaries, line, key, span,
      (v) => ({ name: key, document: policyDocument(v, `"${key}"`) }));
  }

  context(line: string, span: Span): Record<string, string | string[]> {
    // Frozen, so the evaluator may memoise its lower-cased view across the requests that share it.
    return this.member(this.contexts, line, 'context', span, (v) => Object.freeze(parseContext(v)));
  }
}

const SIMPLE_STRING = /^"[^"\\\u0000-\u001f]*"$/;

function stringMember(line: string, span: Span | undefined, name: string, required: boolean): string | undefined {
  if (!span) {
    if (required) throw new LineError(`missing "${name}" (a string)`);
    return undefined;
  }
  const raw = line.slice(span.start, span.end);
  if (raw === 'null' && !required) return undefined;
  if (raw.charCodeAt(0) !== 34) throw new LineError(`"${name}" must be a string`);
  const v = SIMPLE_STRING.test(raw) ? raw.slice(1, -1) : (JSON.parse(raw) as string);
  if (required && !v) throw new LineError(`"${name}" must not be empty`);
  return v;
}

/** The id of a line, as JSON text for the output ("null" when absent or not a string or number). */
function idJson(line: string, members: Map<string, Span>): string {
  const span = members.get('id');
  if (!span) return 'null';
  const raw = line.slice(span.start, span.end);
  if (SIMPLE_STRING.test(raw)) return raw;
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'string' || typeof v === 'number' ? JSON.stringify(v) : 'null';
  } catch {
    return 'null';
  }
}

/** Best-effort id from a line that is not valid JSON (so the caller can still correlate the error). */
function salvageId(line: string): string {
  const m = /"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)/.exec(line);
  if (!m) return 'null';
  try {
    return JSON.stringify(JSON.parse(m[1]));
  } catch {
    return 'null';
  }
}

/** Evaluates one line; returns its output line (without newline) and whether it is an error. */
function processLine(line: string, caches: BatchCaches, reserialised = false): { text: string; error: boolean } {
  const members = scanMembers(line, caches.hints);
  let id = 'null';
  try {
    if (!members) {
      try {
        const v: unknown = JSON.parse(line);
        if (!isObject(v)) throw new LineError('each line must be a JSON object describing one request');
      } catch (e) {
        id = salvageId(line);
        if (e instanceof LineError) throw e;
        throw new LineError(`invalid JSON: ${(e as Error).message}`);
      }
      // A valid JSON object the fast scanner did not accept (it should): retry once on its compact serialisation.
      if (reserialised) throw new LineError('could not read the request object');
      return processLine(JSON.stringify(JSON.parse(line)), caches, true);
    }
    id = idJson(line, members);
    const action = stringMember(line, members.get('action'), 'action', true) as string;
    const resource = stringMember(line, members.get('resource'), 'resource', true) as string;
    const principal = stringMember(line, members.get('principal'), 'principal', false);
    const ctxSpan = members.get('context');
    const context = ctxSpan ? caches.context(line, ctxSpan) : {};
    const idSpan = members.get('identityPolicies');
    if (!idSpan) throw new LineError('missing "identityPolicies" (an array of policy documents)');
    const identity = caches.identityPolicies(line, idSpan);
    const bSpan = members.get('permissionsBoundary');
    const boundary = bSpan ? caches.policy(line, 'permissionsBoundary', bSpan) : null;
    const sSpan = members.get('sessionPolicy');
    const session = sSpan ? caches.policy(line, 'sessionPolicy', sSpan) : null;
    const request: RequestContext = { principal, action, resource, context };
    const { decision } = evaluate(request, { identity, boundary, session: session ? [session] : null });
    return { text: `{"id":${id},"decision":"${decision}"}`, error: false };
  } catch (e) {
    const message = e instanceof LineError ? e.message : `invalid request: ${(e as Error).message}`;
    return { text: `{"id":${id},"error":${JSON.stringify(message)}}`, error: true };
  }
}

const CHUNK = 1 << 16;

/**
 * Reads JSON Lines requests from `input` and writes one JSON line per request to `output`, in order. Does not end
 * `output` (it may be stdout). Resolves with the number of lines answered and how many of them were errors.
 */
export async function simulateBatch(input: Readable, output: Writable): Promise<BatchResult> {
  const caches = new BatchCaches();
  const decoder = new StringDecoder('utf8');
  let count = 0;
  let errors = 0;
  let out = '';
  let rest = '';

  const flush = async (): Promise<void> => {
    if (!out) return;
    const text = out;
    out = '';
    if (!output.write(text)) {
      await new Promise<void>((resolve, reject) => {
        const done = (err?: Error) => {
          output.off('drain', onDrain);
          output.off('error', done);
          if (err) reject(err);
          else resolve();
        };
        const onDrain = () => done();
        output.once('drain', onDrain);
        output.once('error', done);
      });
    }
  };

  const handle = (raw: string): void => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const r = processLine(line, caches);
    count++;
    if (r.error) errors++;
    out += r.text + '\n';
  };

  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      handle(text.slice(start, nl));
      start = nl + 1;
      if (out.length >= CHUNK) await flush();
    }
    rest = text.slice(start);
  }
  handle(rest + decoder.end());
  await flush();
  return { count, errors };
}
