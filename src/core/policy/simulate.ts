// Batch simulation: JSON Lines in, one decision per line out, in order.
//
// Input line:  {"id":"c1","principal":"arn:…","action":"s3:GetObject","resource":"arn:aws:s3:::b/k",
//               "context":{"aws:MultiFactorAuthPresent":"true"},"identityPolicies":[{…}],
//               "permissionsBoundary":{…}|null,"sessionPolicy":{…}|null,
//               "serviceControlPolicies":[[{…}],[{…},{…}]]|null, "resourceControlPolicies":[[{…}]]|null,
//               "resourcePolicy":{…}|null, "resourceAccount":"111122223333", "roleArn":"arn:aws:iam::…:role/path/NAME"}
//   serviceControlPolicies / resourceControlPolicies: levels from the organisation root down to the account, each an
//   array of documents; allowed only if every level allows and none denies. All members after sessionPolicy are
//   optional (absent or null: none), so older lines mean what they meant.
// Output line: {"id":"c1","decision":"Allowed"|"ExplicitDeny"|"ImplicitDeny"|"AwsProtected"}, plus "reason" for
//              AwsProtected and "uncertain" (statements whose meaning is not settled) when there are any;
//              or {"id":"c1"|null,"error":"…"} for a request that cannot be evaluated (processing continues): not
//              JSON, a missing or mistyped member, a policy document with grammar errors (the error names the member
//              and the JSON path, e.g. `"identityPolicies[0]" Statement[1].Effect: …`), an action or resource that is
//              not well-formed, an id that is neither a string nor a number. Blank lines are skipped. The same checks
//              as single-request mode and `lint` apply: an invalid document is an error, never a decision.
//
// Limits: a line may be at most MAX_LINE_CHARS characters and nest MAX_JSON_DEPTH levels; a longer line is skipped
// without being buffered whole and answered with an error. Reading is linear in the input: chunks of a long line are
// kept in a list, not concatenated and re-searched.
//
// Throughput: batch files typically repeat the same few policies on every line. Each line is split into its
// top-level members by a small scanner, and the raw text of the policy members is the cache key for the compiled
// policies — a repeated policy is neither re-parsed nor re-compiled. Output is written in large chunks, honouring
// back-pressure.
import { StringDecoder } from 'string_decoder';
import type { Readable, Writable } from 'stream';
import { evaluate, type Evaluation, type PolicySet, type RequestContext } from './evaluate';
import { splitArn } from './match';
import { MAX_JSON_DEPTH, validatePolicy } from './parse';
import type { NamedPolicy, PolicyDocument, PolicyKind } from './types';

/** The longest request line accepted (characters): ten 10 KB policies per layer fit many times over. */
export const MAX_LINE_CHARS = 8 * 1024 * 1024;

export interface BatchResult {
  /** Lines answered (decisions and errors; blank lines are not counted). */
  count: number;
  /** Lines answered with an error. */
  errors: number;
}

/** A user-facing error for one line (or one single-mode request). */
export class RequestError extends Error {}
const LineError = RequestError;

const ACTION_RE = /^[^:\s]+:[^:\s]+$/;

/** Checks a request's action: `service:Action` (or "*"). Shared by batch and single-request mode. */
export function checkRequestAction(action: string): void {
  if (action !== '*' && !ACTION_RE.test(action)) throw new RequestError(`"action" must look like service:Action, got '${action}'`);
}

/** Checks a request's resource: "*" or an ARN of six colon-separated parts. Shared by batch and single mode. */
export function checkRequestResource(resource: string): void {
  if (resource === '*') return;
  if (!resource.startsWith('arn:') || !splitArn(resource)) {
    throw new RequestError(`"resource" must be "*" or an ARN (arn:partition:service:region:account:resource), got '${resource}'`);
  }
}

/** Checks the calling principal: an ARN. */
export function checkPrincipal(principal: string): void {
  if (!splitArn(principal)) throw new RequestError(`"principal" must be an ARN (arn:aws:sts::111122223333:assumed-role/NAME/SESSION), got '${principal}'`);
}

/** Checks a 12-digit account ID (resourceAccount). */
export function checkAccount(v: string, what: string): void {
  if (!/^\d{12}$/.test(v)) throw new RequestError(`"${what}" must be a 12-digit AWS account ID, got '${v}'`);
}

/** Checks a role ARN with its path (roleArn). */
export function checkRoleArn(v: string): void {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/(.+\/)?[\w+=,.@-]+$/.test(v)) {
    throw new RequestError(`"roleArn" must be an IAM role ARN such as arn:aws:iam::111122223333:role/incident-response/NAME, got '${v}'`);
  }
}

/**
 * Throws a RequestError naming the first grammar error of a policy document (member + JSON path), the check that
 * single-request mode and `lint` apply: a document with errors is refused, never evaluated.
 */
export function checkPolicyDocument(doc: unknown, what: string, kind: PolicyKind): void {
  const errors = validatePolicy(doc, kind).filter((p) => p.severity === 'error');
  if (!errors.length) return;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  throw new RequestError(`${what} ${errors[0].path || '(document)'}: ${errors[0].message}${more}; the request is not evaluated`);
}

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
      } else if (c === '{' || c === '[') {
        // +1 for the line's own object.
        if (++depth + 1 > MAX_JSON_DEPTH) throw new LineError(`the request nests JSON deeper than ${MAX_JSON_DEPTH} levels (an IAM policy needs at most 7)`);
      } else if (--depth === 0) {
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

function policyDocument(v: unknown, what: string, kind: PolicyKind = 'identity'): PolicyDocument {
  if (!isObject(v)) throw new LineError(`${what} must be a policy document (a JSON object)`);
  checkPolicyDocument(v, what, kind);
  return v as unknown as PolicyDocument;
}

/** SCP/RCP levels: an array (root → account) of arrays of documents. */
function guardrailLevels(v: unknown, key: string, kind: 'scp' | 'rcp'): NamedPolicy[][] | null {
  if (v === null) return null;
  const shape = `"${key}" must be an array of levels (organisation root first, the account last), each an array of policy documents`;
  if (!Array.isArray(v)) throw new LineError(shape);
  return v.map((level, i) => {
    if (!Array.isArray(level)) throw new LineError(`${shape}; "${key}[${i}]" is not an array`);
    return level.map((d, j) => ({ name: `${key}[${i}][${j}]`, kind, document: policyDocument(d, `"${key}[${i}][${j}]"`, kind) }));
  });
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
  private readonly resources = new Memo<Cached<NamedPolicy>>(2048);
  private readonly guardrails = new Memo<Cached<NamedPolicy[][] | null>>(2048);
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
      return v.map((d, i) => ({ name: `identityPolicies[${i}]`, document: policyDocument(d, `"identityPolicies[${i}]"`) }));
    });
  }

  /** The permissions boundary, session policy or resource policy; null for JSON null. */
  policy(line: string, key: 'permissionsBoundary' | 'sessionPolicy' | 'resourcePolicy', span: Span): NamedPolicy | null {
    if (line.startsWith('null', span.start) && span.end - span.start === 4) return null;
    const kind: PolicyKind = key === 'resourcePolicy' ? 'resource' : 'identity';
    const memo = key === 'sessionPolicy' ? this.sessions : key === 'resourcePolicy' ? this.resources : this.boundaries;
    return this.member(memo, line, key, span, (v) => ({ name: key, kind, document: policyDocument(v, `"${key}"`, kind) }));
  }

  /** SCP or RCP levels; null for JSON null. Keyed by member name too, as the same text means another kind. */
  levels(line: string, key: 'serviceControlPolicies' | 'resourceControlPolicies', span: Span): NamedPolicy[][] | null {
    if (line.startsWith('null', span.start) && span.end - span.start === 4) return null;
    const kind = key === 'serviceControlPolicies' ? 'scp' : 'rcp';
    const text = key + '\u0000' + this.raw(line, key, span);
    const c = this.guardrails.get(text, () => BatchCaches.attempt(() => guardrailLevels(JSON.parse(line.slice(span.start, span.end)), key, kind)));
    if (!c.ok) throw new LineError(c.error.startsWith('invalid JSON') ? `"${key}": ${c.error}` : c.error);
    return c.value;
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

/**
 * The id of a line, as JSON text for the output ("null" when absent). An id that is neither a string nor a number
 * cannot be echoed faithfully: the line is answered with an error (and "id": null), never with a decision.
 */
function idJson(line: string, members: Map<string, Span>): { id: string; error?: string } {
  const span = members.get('id');
  if (!span) return { id: 'null' };
  const raw = line.slice(span.start, span.end);
  if (SIMPLE_STRING.test(raw)) return { id: raw };
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    return { id: 'null', error: `"id": invalid JSON: ${(e as Error).message}` };
  }
  if (typeof v === 'string' || typeof v === 'number') return { id: JSON.stringify(v) };
  const type = v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
  return { id: 'null', error: `"id" must be a string (or a number), not ${type}: the answer could not be matched to its request` };
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
  let id = 'null';
  try {
    let members: Map<string, Span> | undefined;
    try {
      members = scanMembers(line, caches.hints);
    } catch (e) {
      id = salvageId(line.slice(0, 4096));
      throw e;
    }
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
    const idr = idJson(line, members);
    id = idr.id;
    if (idr.error) throw new LineError(idr.error);
    const action = stringMember(line, members.get('action'), 'action', true) as string;
    checkRequestAction(action);
    const resource = stringMember(line, members.get('resource'), 'resource', true) as string;
    checkRequestResource(resource);
    const principal = stringMember(line, members.get('principal'), 'principal', false);
    if (principal !== undefined) checkPrincipal(principal);
    const roleArn = stringMember(line, members.get('roleArn'), 'roleArn', false);
    if (roleArn !== undefined) checkRoleArn(roleArn);
    const resourceAccount = stringMember(line, members.get('resourceAccount'), 'resourceAccount', false);
    if (resourceAccount !== undefined) {
      checkAccount(resourceAccount, 'resourceAccount');
      if (!principal) throw new LineError('"resourceAccount" needs "principal" (whose account decides whether the request is cross-account)');
    }
    const ctxSpan = members.get('context');
    const context = ctxSpan ? caches.context(line, ctxSpan) : {};
    const idSpan = members.get('identityPolicies');
    if (!idSpan) throw new LineError('missing "identityPolicies" (an array of policy documents)');
    const identity = caches.identityPolicies(line, idSpan);
    const bSpan = members.get('permissionsBoundary');
    const boundary = bSpan ? caches.policy(line, 'permissionsBoundary', bSpan) : null;
    const sSpan = members.get('sessionPolicy');
    const session = sSpan ? caches.policy(line, 'sessionPolicy', sSpan) : null;
    const rSpan = members.get('resourcePolicy');
    const resourcePolicy = rSpan ? caches.policy(line, 'resourcePolicy', rSpan) : null;
    const scpSpan = members.get('serviceControlPolicies');
    const serviceControlPolicies = scpSpan ? caches.levels(line, 'serviceControlPolicies', scpSpan) : null;
    const rcpSpan = members.get('resourceControlPolicies');
    const resourceControlPolicies = rcpSpan ? caches.levels(line, 'resourceControlPolicies', rcpSpan) : null;
    const request: RequestContext = { principal, action, resource, context };
    if (roleArn !== undefined) request.roleArn = roleArn;
    if (resourceAccount !== undefined) request.resourceAccount = resourceAccount;
    const policies: PolicySet = { identity, boundary, session: session ? [session] : null, serviceControlPolicies, resourceControlPolicies, resourcePolicy };
    return { text: answerJson(id, evaluate(request, policies)), error: false };
  } catch (e) {
    const message = e instanceof LineError ? e.message : `invalid request: ${(e as Error).message}`;
    return { text: `{"id":${id},"error":${JSON.stringify(message)}}`, error: true };
  }
}

/** The batch answer for an evaluation: decision, plus the reason for AwsProtected and any uncertain statements. */
export function answerJson(id: string, e: Evaluation): string {
  let text = `{"id":${id},"decision":"${e.decision}"`;
  if (e.decision === 'AwsProtected' && e.protection) text += `,"reason":${JSON.stringify(`${e.protection.reason} (${e.protection.url})`)}`;
  if (e.uncertain.length) {
    text += `,"uncertain":${JSON.stringify(e.uncertain.map((u) => `${u.policy} statement ${u.statementIndex}${u.sid ? ` (${u.sid})` : ''}: ${u.reason}`))}`;
  }
  return text + '}';
}

/**
 * Evaluates one request object exactly as a batch line (same checks, same answer), for callers that hold the request
 * as a value: returns the answer object ({id, decision, …} or {id, error}).
 */
export function simulateRequest(request: unknown): Record<string, unknown> {
  let line: string;
  try {
    line = JSON.stringify(request) ?? 'null';
  } catch (e) {
    return { id: null, error: `the request cannot be serialised: ${(e as Error).message}` };
  }
  return JSON.parse(processLine(line, new BatchCaches()).text) as Record<string, unknown>;
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
  const tooLong = (length: number, head: string): void => {
    count++;
    errors++;
    const error = `the request line is ${length} characters; the limit is ${MAX_LINE_CHARS} (split the policies across lines or shorten them)`;
    out += `{"id":${salvageId(head)},"error":${JSON.stringify(error)}}\n`;
  };

  // The unfinished line: its pieces (not concatenated until the line ends, so a long line costs linear time), their
  // total length, and — once it is over the limit — only its beginning (for the id) and its length.
  let pieces: string[] = [];
  let pending = 0;
  let overflow: { head: string; length: number } | undefined;
  const append = (piece: string): void => {
    if (!piece) return;
    if (overflow) { overflow.length += piece.length; return; }
    pieces.push(piece);
    pending += piece.length;
    if (pending > MAX_LINE_CHARS) {
      const all = pieces.join('');
      overflow = { head: all.slice(0, 4096), length: pending };
      pieces = [];
      pending = 0;
    }
  };
  const endLine = (): void => {
    if (overflow) {
      tooLong(overflow.length, overflow.head);
      overflow = undefined;
    } else if (pieces.length) {
      handle(pieces.length === 1 ? pieces[0] : pieces.join(''));
    }
    pieces = [];
    pending = 0;
  };

  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      if (pieces.length || overflow) {
        append(text.slice(start, nl));
        endLine();
      } else if (nl - start > MAX_LINE_CHARS) {
        tooLong(nl - start, text.slice(start, start + 4096));
      } else handle(text.slice(start, nl));
      start = nl + 1;
      if (out.length >= CHUNK) await flush();
    }
    append(text.slice(start));
  }
  append(decoder.end());
  endLine();
  await flush();
  return { count, errors };
}
