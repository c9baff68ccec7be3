// Policy text → document, with source positions for every key and value so problems can become editor diagnostics.
// The JSON parser is our own (JSON.parse gives neither positions nor more than one error): it never throws, records
// syntax errors with positions, and recovers from the common slips (trailing or missing commas, comments,
// duplicate keys) so that the rest of the document can still be validated.
//
// Grammar validation follows "IAM JSON policy element reference" and "IAM JSON policy grammar"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html), for identity-based policies
// (and permissions boundaries / session policies, which share the grammar): no Principal, Resource required.
import { invalidValueReason, conditionValueStrings, parseConditionOperator } from './conditions';
import { parseTemplate } from './variables';
import type { PolicyDocument, PolicyKind } from './types';

/**
 * The deepest JSON nesting accepted. A policy needs 7 levels (document → Statement array → statement → Condition →
 * operator → key → value array); a batch request line adds 3. Deeper input is refused with a clear error instead of
 * exhausting the stack of a recursive parser (a 6 KB file of 3,000 nested arrays did).
 */
export const MAX_JSON_DEPTH = 64;

export interface SourcePosition {
  offset: number;
  length: number;
  /** 0-based. */
  line: number;
  /** 0-based, in UTF-16 code units (as editors count). */
  column: number;
}

export interface PolicyProblem {
  severity: 'error' | 'warning';
  message: string;
  /** JSON path like `Statement[0].Condition.StringEquals`; "" is the whole document. */
  path: string;
  position?: SourcePosition;
}

export interface ParsedPolicy {
  /** The parsed document; undefined when the text is not (recoverably) JSON or not an object. */
  document?: PolicyDocument;
  problems: PolicyProblem[];
  /** Where the value at a JSON path is in the text. */
  locate(path: string): SourcePosition | undefined;
  /** Where the key of the property at a JSON path is in the text (undefined for array elements and the root). */
  locateKey(path: string): SourcePosition | undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Paths

const PLAIN_KEY = /^[^.[\]"\s]+$/;

/** Appends an object key to a JSON path: `Statement[0]` + `Effect` → `Statement[0].Effect`. */
export function childPath(parent: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent ? `${parent}.${key}` : key;
}

/** Appends an array index to a JSON path. */
export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON with positions

/** Thrown internally for an unrecoverable syntax error; never escapes parsePolicyText. */
class Abort extends Error {}

interface JsonParseResult {
  value: unknown;
  ok: boolean;
  valuePos: Map<string, SourcePosition>;
  keyPos: Map<string, SourcePosition>;
  problems: PolicyProblem[];
}

class JsonParser {
  private i = 0;
  private depth = 0;
  private readonly lineStarts: number[] = [0];
  readonly valuePos = new Map<string, SourcePosition>();
  readonly keyPos = new Map<string, SourcePosition>();
  readonly problems: PolicyProblem[] = [];

  constructor(private readonly text: string) {
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(k);
      if (c === 10) this.lineStarts.push(k + 1);
      else if (c === 13 && text.charCodeAt(k + 1) !== 10) this.lineStarts.push(k + 1);
    }
  }

  position(offset: number, length: number): SourcePosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { offset, length, line: lo, column: offset - this.lineStarts[lo] };
  }

  private error(message: string, offset: number, length: number, path: string, fatal: boolean): void {
    this.problems.push({ severity: 'error', message, path, position: this.position(offset, Math.max(0, length)) });
    if (fatal) throw new Abort(message);
  }

  private describe(offset: number): string {
    if (offset >= this.text.length) return 'end of text';
    return `'${this.text[offset]}'`;
  }

  parse(): JsonParseResult {
    let value: unknown;
    let ok = true;
    try {
      this.ws('');
      if (this.i >= this.text.length) this.error('the policy is empty (expected a JSON object)', 0, 0, '', true);
      value = this.value('');
      this.ws('');
      if (this.i < this.text.length) {
        this.error(`unexpected ${this.describe(this.i)} after the end of the JSON document`, this.i, this.text.length - this.i, '', false);
      }
    } catch (e) {
      if (!(e instanceof Abort)) throw e;
      ok = false;
    }
    return { value, ok, valuePos: this.valuePos, keyPos: this.keyPos, problems: this.problems };
  }

  /** Skips whitespace; comments are reported (JSON has none) and skipped. */
  private ws(path: string): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff) {
        this.i++;
      } else if (c === 47 /* / */ && (t[this.i + 1] === '/' || t[this.i + 1] === '*')) {
        const start = this.i;
        const end = t[this.i + 1] === '/' ? t.indexOf('\n', this.i) : t.indexOf('*/', this.i + 2);
        this.i = end < 0 ? t.length : t[start + 1] === '/' ? end : end + 2;
        this.error('comments are not allowed in JSON', start, this.i - start, path, false);
      } else return;
    }
  }

  private value(path: string): unknown {
    const t = this.text;
    const start = this.i;
    const c = t[start];
    let v: unknown;
    if (c === '{') v = this.object(path);
    else if (c === '[') v = this.array(path);
    else if (c === '"') v = this.string(path);
    else if (c === '-' || (c >= '0' && c <= '9')) v = this.number(path);
    else if (t.startsWith('true', start)) { this.i += 4; v = true; }
    else if (t.startsWith('false', start)) { this.i += 5; v = false; }
    else if (t.startsWith('null', start)) { this.i += 4; v = null; }
    else if (c === "'") {
      this.error('strings must use double quotes', start, 1, path, false);
      v = this.string(path, "'");
    } else {
      this.error(`expected a JSON value but found ${this.describe(start)}`, start, c === undefined ? 0 : 1, path, true);
    }
    this.valuePos.set(path, this.position(start, this.i - start));
    return v;
  }

  /** Enters an object or array; refuses nesting deeper than MAX_JSON_DEPTH (fatal, so the stack stays small). */
  private enter(path: string): void {
    if (++this.depth > MAX_JSON_DEPTH) {
      this.error(`JSON nested deeper than ${MAX_JSON_DEPTH} levels (an IAM policy needs at most 7): flatten the document`, this.i, 1, path, true);
    }
  }

  private object(path: string): Record<string, unknown> {
    this.enter(path);
    try {
      return this.objectBody(path);
    } finally {
      this.depth--;
    }
  }

  private array(path: string): unknown[] {
    this.enter(path);
    try {
      return this.arrayBody(path);
    } finally {
      this.depth--;
    }
  }

  private objectBody(path: string): Record<string, unknown> {
    const t = this.text;
    const open = this.i++;
    const out: Record<string, unknown> = {};
    this.ws(path);
    if (t[this.i] === '}') { this.i++; return out; }
    for (;;) {
      const keyStart = this.i;
      let key: string;
      if (t[this.i] === '"' || t[this.i] === "'") {
        if (t[this.i] === "'") this.error('property names must use double quotes', keyStart, 1, path, false);
        key = this.string(path, t[this.i]);
      } else {
        const m = /^[A-Za-z_$][\w$:-]*/.exec(t.slice(this.i, this.i + 200));
        if (!m) {
          if (this.i >= t.length) this.error(`unterminated object (missing '}' for the '{' at offset ${open})`, open, 1, path, true);
          this.error(`expected a property name in double quotes but found ${this.describe(this.i)}`, this.i, 1, path, true);
        }
        key = (m as RegExpExecArray)[0];
        this.i += key.length;
        this.error(`property name '${key}' must be in double quotes`, keyStart, key.length, path, false);
      }
      const kp = childPath(path, key);
      const keyPosition = this.position(keyStart, this.i - keyStart);
      if (Object.prototype.hasOwnProperty.call(out, key)) {
        this.problems.push({
          severity: 'warning', path: kp, position: keyPosition,
          message: `duplicate key '${key}': only the last one takes effect`,
        });
      }
      this.keyPos.set(kp, keyPosition);
      this.ws(path);
      if (t[this.i] !== ':') this.error(`expected ':' after property name '${key}' but found ${this.describe(this.i)}`, this.i, 1, kp, true);
      this.i++;
      this.ws(kp);
      const v = this.value(kp);
      // Define rather than assign, so a "__proto__" key stays an ordinary property.
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      this.ws(path);
      const c = t[this.i];
      if (c === ',') {
        const comma = this.i++;
        this.ws(path);
        if (t[this.i] === '}') {
          this.error('trailing comma before \'}\'', comma, 1, path, false);
          this.i++;
          return out;
        }
        continue;
      }
      if (c === '}') { this.i++; return out; }
      if (c === '"') {
        this.error("missing ',' between properties", this.i, 1, path, false);
        continue;
      }
      if (c === undefined) this.error(`unterminated object (missing '}' for the '{' at line ${this.position(open, 1).line + 1})`, open, 1, path, true);
      this.error(`expected ',' or '}' but found ${this.describe(this.i)}`, this.i, 1, path, true);
    }
  }

  private arrayBody(path: string): unknown[] {
    const t = this.text;
    const open = this.i++;
    const out: unknown[] = [];
    this.ws(path);
    if (t[this.i] === ']') { this.i++; return out; }
    for (;;) {
      const ep = indexPath(path, out.length);
      if (this.i >= t.length) this.error(`unterminated array (missing ']' for the '[' at line ${this.position(open, 1).line + 1})`, open, 1, path, true);
      out.push(this.value(ep));
      this.ws(path);
      const c = t[this.i];
      if (c === ',') {
        const comma = this.i++;
        this.ws(path);
        if (t[this.i] === ']') {
          this.error("trailing comma before ']'", comma, 1, path, false);
          this.i++;
          return out;
        }
        continue;
      }
      if (c === ']') { this.i++; return out; }
      if (c === '"' || c === '{' || c === '[') {
        this.error("missing ',' between array elements", this.i, 1, path, false);
        continue;
      }
      if (c === undefined) this.error(`unterminated array (missing ']' for the '[' at line ${this.position(open, 1).line + 1})`, open, 1, path, true);
      this.error(`expected ',' or ']' but found ${this.describe(this.i)}`, this.i, 1, path, true);
    }
  }

  private string(path: string, quote = '"'): string {
    const t = this.text;
    const start = this.i++;
    let out = '';
    let runStart = this.i;
    for (;;) {
      if (this.i >= t.length) this.error('unterminated string', start, t.length - start, path, true);
      const c = t.charCodeAt(this.i);
      if (t[this.i] === quote) {
        out += t.slice(runStart, this.i);
        this.i++;
        return out;
      }
      if (c === 92 /* \ */) {
        out += t.slice(runStart, this.i);
        const e = t[this.i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', "'": "'" };
        if (e !== undefined && e in simple) {
          out += simple[e];
          this.i += 2;
        } else if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(t.slice(this.i + 2, this.i + 6))) {
          out += String.fromCharCode(parseInt(t.slice(this.i + 2, this.i + 6), 16));
          this.i += 6;
        } else {
          this.error(`invalid escape sequence '\\${e ?? ''}' in string`, this.i, 2, path, false);
          this.i += e === undefined ? 1 : 2;
        }
        runStart = this.i;
        continue;
      }
      if (c < 0x20) {
        if (c === 10 || c === 13) this.error('unterminated string (line break inside a string)', start, this.i - start, path, true);
        this.error('control character in string (escape it)', this.i, 1, path, false);
      }
      this.i++;
    }
  }

  private number(path: string): number {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.i, this.i + 400));
    if (!m) this.error(`invalid number`, this.i, 1, path, true);
    const s = (m as RegExpExecArray)[0];
    this.i += s.length;
    return Number(s);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Grammar validation

/** A problem whose position is the key of the element at `path` (otherwise: its value). */
interface RawProblem extends PolicyProblem {
  at?: 'key';
}

const DOCUMENT_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition']);
const VERSIONS = new Set(['2012-10-17', '2008-10-17']);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The statements of a document as [path, statement] pairs (`Statement` may be one object or an array). */
export function statementEntries(doc: unknown): Array<[string, unknown]> {
  if (!isObject(doc)) return [];
  const s = doc.Statement;
  if (Array.isArray(s)) return s.map((x, i) => [indexPath('Statement', i), x]);
  if (s === undefined) return [];
  return [['Statement', s]];
}

/** Validates a string-or-array element (Action, Resource, ...) and returns its strings. */
function stringList(v: unknown, path: string, name: string, out: RawProblem[]): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) {
    if (v.length === 0) out.push({ severity: 'error', path, message: `${name} must not be an empty array` });
    const items: string[] = [];
    v.forEach((x, i) => {
      if (typeof x === 'string') items.push(x);
      else out.push({ severity: 'error', path: indexPath(path, i), message: `${name} entries must be strings` });
    });
    return items;
  }
  out.push({ severity: 'error', path, message: `${name} must be a string or an array of strings` });
  return [];
}

function checkVariables(text: string, path: string, variablesEnabled: boolean, out: RawProblem[]): void {
  if (!text.includes('${')) return;
  if (!variablesEnabled) {
    out.push({
      severity: 'warning', path,
      message: `policy variables are only substituted with "Version": "2012-10-17"; here '${text}' is matched literally`,
    });
    return;
  }
  for (const p of parseTemplate(text, true).problems) out.push({ severity: 'warning', path, message: `${p}; the text is matched literally` });
}

const ACTION_RE = /^[A-Za-z0-9*?-]+:[A-Za-z0-9*?_-]+$/;

function validateActions(v: unknown, path: string, name: string, out: RawProblem[]): void {
  for (const [i, a] of stringList(v, path, name, out).entries()) {
    const p = Array.isArray(v) ? indexPath(path, i) : path;
    if (a === '*') continue;
    if (!a.includes(':')) {
      out.push({ severity: 'error', path: p, message: `action '${a}' must be prefixed by a service, e.g. 's3:GetObject'` });
    } else if (!ACTION_RE.test(a)) {
      out.push({ severity: 'error', path: p, message: `action '${a}' is not a valid 'service:Action' name` });
    } else if (/[*?]/.test(a.slice(0, a.indexOf(':')))) {
      out.push({ severity: 'warning', path: p, message: `action '${a}' has a wildcard in the service prefix` });
    }
  }
}

function validateResources(v: unknown, path: string, name: string, variablesEnabled: boolean, out: RawProblem[]): void {
  for (const [i, r] of stringList(v, path, name, out).entries()) {
    const p = Array.isArray(v) ? indexPath(path, i) : path;
    if (r === '*') continue;
    if (!r.startsWith('arn:')) {
      out.push({ severity: 'error', path: p, message: `${name} '${r}' must be an ARN (arn:partition:service:region:account:resource) or "*"` });
      continue;
    }
    if (r.split(':').length < 6) {
      out.push({ severity: 'error', path: p, message: `${name} '${r}' must have six colon-separated parts (arn:partition:service:region:account:resource)` });
      continue;
    }
    checkVariables(r, p, variablesEnabled, out);
  }
}

function validateCondition(v: unknown, path: string, variablesEnabled: boolean, out: RawProblem[]): void {
  if (!isObject(v)) {
    out.push({ severity: 'error', path, message: 'Condition must be an object of operator → { key: value(s) }' });
    return;
  }
  for (const [opName, keys] of Object.entries(v)) {
    const opPath = childPath(path, opName);
    const parsed = parseConditionOperator(opName);
    if (typeof parsed === 'string') {
      out.push({ severity: 'error', path: opPath, message: parsed, at: 'key' });
      continue;
    }
    if (parsed.canonical !== opName) {
      out.push({ severity: 'warning', path: opPath, message: `write the condition operator as '${parsed.canonical}'`, at: 'key' });
    }
    if (!isObject(keys)) {
      out.push({ severity: 'error', path: opPath, message: `${opName} must be an object of condition key → value(s)` });
      continue;
    }
    if (Object.keys(keys).length === 0) {
      out.push({ severity: 'error', path: opPath, message: `${opName} has no condition keys` });
    }
    for (const [key, raw] of Object.entries(keys)) {
      const keyPath = childPath(opPath, key);
      if (!/^[^:\s]+:\S+$/.test(key)) {
        out.push({ severity: 'error', path: keyPath, message: `condition key '${key}' must be prefixed by a service, e.g. 'aws:SourceIp'`, at: 'key' });
      }
      const values = conditionValueStrings(raw);
      if (!values) {
        out.push({ severity: 'error', path: keyPath, message: `the value of ${key} must be a string, number, boolean or an array of them` });
        continue;
      }
      if (values.length === 0) {
        out.push({ severity: 'error', path: keyPath, message: `the value of ${key} must not be an empty array` });
        continue;
      }
      values.forEach((s, i) => {
        const vp = Array.isArray(raw) ? indexPath(keyPath, i) : keyPath;
        const reason = invalidValueReason(parsed.base.family, s);
        if (reason) {
          // Bool with a non-boolean never matches but IAM accepts it: a warning. Other type errors break the statement.
          const severity = parsed.base.family === 'Bool' ? 'warning' : 'error';
          out.push({ severity, path: vp, message: `${reason} (${parsed.base.name})` });
        }
        if (s.includes('${')) {
          if (!parsed.base.variables) {
            out.push({ severity: 'warning', path: vp, message: `${parsed.base.name} does not support policy variables; '${s}' is used literally` });
          } else checkVariables(s, vp, variablesEnabled, out);
        }
      });
    }
  }
}

const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const AWS_PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam::\d{12}:(root|user\/.+|role\/.+|federated-user\/.+)|sts::\d{12}:(assumed-role\/[^/]+\/.+|federated-user\/.+))$/;

/**
 * Validates a Principal / NotPrincipal of a resource-based policy ("AWS JSON policy elements: Principal",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html): `"*"`, or an object
 * of AWS / Service / Federated / CanonicalUser → value(s). AWS principals are an account ID, an account, user, role,
 * role-session or federated-user ARN, or `"*"`; "You cannot use a wildcard to match part of a principal name or ARN".
 */
function validatePrincipal(v: unknown, path: string, out: RawProblem[]): void {
  if (v === '*') return;
  if (!isObject(v)) {
    out.push({ severity: 'error', path, message: 'Principal must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:role/NAME"}' });
    return;
  }
  const keys = Object.keys(v);
  if (!keys.length) out.push({ severity: 'error', path, message: 'Principal must name at least one principal' });
  for (const k of keys) {
    const kp = childPath(path, k);
    if (!PRINCIPAL_TYPES.has(k)) {
      out.push({ severity: 'error', path: kp, at: 'key', message: `unknown principal type '${k}' (expected AWS, Service, Federated or CanonicalUser)` });
      continue;
    }
    const values = stringList(v[k], kp, `Principal ${k}`, out);
    values.forEach((x, i) => {
      const vp = Array.isArray(v[k]) ? indexPath(kp, i) : kp;
      if (k !== 'AWS' || x === '*') return;
      if (/[*?]/.test(x)) out.push({ severity: 'error', path: vp, message: `'${x}': a Principal cannot use a wildcard in part of a name or ARN (use "*" with a Condition on aws:PrincipalArn)` });
      else if (!/^\d{12}$/.test(x) && !AWS_PRINCIPAL_ARN.test(x)) {
        out.push({ severity: 'error', path: vp, message: `'${x}' is not an AWS principal (a 12-digit account ID, or an account, user, role or role-session ARN)` });
      }
    });
  }
}

/**
 * Validates one statement (Effect, Action/NotAction, Resource/NotResource, Condition, Principal as the policy kind
 * requires). Problems with severity 'error' make the statement "broken": evaluation treats it as matching nothing.
 */
export function validateStatementAt(st: unknown, path: string, variablesEnabled: boolean, kind: PolicyKind = 'identity'): PolicyProblem[] {
  const out: RawProblem[] = [];
  if (!isObject(st)) {
    out.push({ severity: 'error', path, message: 'a statement must be a JSON object' });
    return out;
  }
  for (const k of Object.keys(st)) {
    const kp = childPath(path, k);
    if (k === 'Principal' || k === 'NotPrincipal') {
      if (kind === 'identity') {
        out.push({ severity: 'error', path: kp, at: 'key', message: `${k} is not allowed in an identity-based policy (it belongs in resource-based policies such as trust or bucket policies)` });
      } else if (kind === 'scp') {
        out.push({ severity: 'error', path: kp, at: 'key', message: `${k} is not allowed in a service control policy (an SCP applies to every principal of the accounts it is attached to)` });
      } else if (kind === 'rcp') {
        if (k === 'NotPrincipal') out.push({ severity: 'error', path: kp, at: 'key', message: 'NotPrincipal is not allowed in a resource control policy; use "Principal": "*" with a Condition' });
        else if (st.Principal !== '*') out.push({ severity: 'error', path: kp, message: 'a resource control policy must use "Principal": "*" (scope it with a Condition)' });
      } else validatePrincipal(st[k], kp, out);
    } else if (!STATEMENT_KEYS.has(k)) {
      const hint = [...STATEMENT_KEYS].find((x) => x.toLowerCase() === k.toLowerCase());
      out.push({ severity: 'error', path: kp, at: 'key', message: hint ? `'${k}' must be written '${hint}' (element names are case-sensitive)` : `unknown statement element '${k}'` });
    }
  }
  if (st.Sid !== undefined) {
    if (typeof st.Sid !== 'string') out.push({ severity: 'error', path: childPath(path, 'Sid'), message: 'Sid must be a string' });
    else if (!/^[A-Za-z0-9]*$/.test(st.Sid)) {
      out.push({ severity: 'error', path: childPath(path, 'Sid'), message: `Sid '${st.Sid}' may contain only letters and digits in an IAM policy` });
    }
  }
  if (st.Effect === undefined) out.push({ severity: 'error', path, message: 'the statement has no Effect ("Allow" or "Deny")' });
  else if (st.Effect !== 'Allow' && st.Effect !== 'Deny') {
    out.push({ severity: 'error', path: childPath(path, 'Effect'), message: `Effect must be "Allow" or "Deny" (case-sensitive), not ${JSON.stringify(st.Effect)}` });
  }
  const hasA = st.Action !== undefined;
  const hasNA = st.NotAction !== undefined;
  if (hasA && hasNA) out.push({ severity: 'error', path: childPath(path, 'NotAction'), at: 'key', message: 'a statement may have Action or NotAction, not both' });
  else if (!hasA && !hasNA) out.push({ severity: 'error', path, message: 'the statement has no Action or NotAction' });
  if (hasA) validateActions(st.Action, childPath(path, 'Action'), 'Action', out);
  if (hasNA) validateActions(st.NotAction, childPath(path, 'NotAction'), 'NotAction', out);
  const hasR = st.Resource !== undefined;
  const hasNR = st.NotResource !== undefined;
  if (hasR && hasNR) out.push({ severity: 'error', path: childPath(path, 'NotResource'), at: 'key', message: 'a statement may have Resource or NotResource, not both' });
  else if (!hasR && !hasNR && kind !== 'resource') out.push({ severity: 'error', path, message: 'the statement has no Resource or NotResource (required in identity-based policies; use "*" for all)' });
  if (kind === 'resource' && st.Principal === undefined && st.NotPrincipal === undefined) {
    out.push({ severity: 'error', path, message: 'a resource-based policy statement must name a Principal (or NotPrincipal)' });
  }
  if (kind === 'rcp' && st.Principal === undefined) {
    out.push({ severity: 'error', path, message: 'a resource control policy statement must have "Principal": "*"' });
  }
  // Customer RCPs deny; the only Allow is AWS's RCPFullAWSAccess (Allow * on * for "*"), attached at every level
  // (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html).
  if (kind === 'rcp' && st.Effect === 'Allow' && !(st.Action === '*' && st.Resource === '*' && st.Condition === undefined)) {
    out.push({ severity: 'error', path: childPath(path, 'Effect'), message: 'a resource control policy can only Deny (AWS attaches RCPFullAWSAccess, the one Allow, at every level)' });
  }
  if (hasR) validateResources(st.Resource, childPath(path, 'Resource'), 'Resource', variablesEnabled, out);
  if (hasNR) validateResources(st.NotResource, childPath(path, 'NotResource'), 'NotResource', variablesEnabled, out);
  if (st.Condition !== undefined) validateCondition(st.Condition, childPath(path, 'Condition'), variablesEnabled, out);
  return out;
}

function validateRaw(doc: unknown, kind: PolicyKind = 'identity'): RawProblem[] {
  const out: RawProblem[] = [];
  if (!isObject(doc)) {
    out.push({ severity: 'error', path: '', message: 'a policy must be a JSON object with a Statement' });
    return out;
  }
  for (const k of Object.keys(doc)) {
    if (!DOCUMENT_KEYS.has(k)) {
      const hint = [...DOCUMENT_KEYS].find((x) => x.toLowerCase() === k.toLowerCase());
      out.push({ severity: 'error', path: childPath('', k), at: 'key', message: hint ? `'${k}' must be written '${hint}' (element names are case-sensitive)` : `unknown policy element '${k}' (expected Version, Id, Statement)` });
    }
  }
  if (doc.Version === undefined) {
    out.push({ severity: 'warning', path: '', message: 'no Version: IAM assumes "2008-10-17", where policy variables are not substituted; add "Version": "2012-10-17"' });
  } else if (typeof doc.Version !== 'string' || !VERSIONS.has(doc.Version)) {
    out.push({ severity: 'error', path: 'Version', message: `Version must be "2012-10-17" (or the legacy "2008-10-17"), not ${JSON.stringify(doc.Version)}` });
  } else if (doc.Version === '2008-10-17') {
    out.push({ severity: 'warning', path: 'Version', message: 'Version "2008-10-17" is legacy and does not substitute policy variables; use "2012-10-17"' });
  }
  if (doc.Id !== undefined && typeof doc.Id !== 'string') out.push({ severity: 'error', path: 'Id', message: 'Id must be a string' });
  const s = doc.Statement;
  if (s === undefined) {
    out.push({ severity: 'error', path: '', message: 'the policy has no Statement' });
    return out;
  }
  if (!Array.isArray(s) && !isObject(s)) {
    out.push({ severity: 'error', path: 'Statement', message: 'Statement must be an object or an array of objects' });
    return out;
  }
  if (Array.isArray(s) && s.length === 0) out.push({ severity: 'warning', path: 'Statement', message: 'Statement is empty: the policy grants and denies nothing' });
  const variablesEnabled = doc.Version === '2012-10-17';
  const sids = new Map<string, string>();
  for (const [path, st] of statementEntries(doc)) {
    out.push(...validateStatementAt(st, path, variablesEnabled, kind));
    if (isObject(st) && typeof st.Sid === 'string' && st.Sid) {
      const first = sids.get(st.Sid);
      if (first) out.push({ severity: 'error', path: childPath(path, 'Sid'), message: `duplicate Sid '${st.Sid}' (also used by ${first}); Sids must be unique within a policy` });
      else sids.set(st.Sid, path);
    }
  }
  return out;
}

/** Grammar validation of an already-parsed policy object: problems with JSON paths (no positions). */
export function validatePolicy(doc: unknown, kind: PolicyKind = 'identity'): PolicyProblem[] {
  return validateRaw(doc, kind).map(({ severity, message, path }) => ({ severity, message, path }));
}

/**
 * Parses policy text: JSON syntax errors and grammar problems, each with the position of the offending text.
 * Never throws.
 */
export function parsePolicyText(text: string, kind: PolicyKind = 'identity'): ParsedPolicy {
  const parser = new JsonParser(text);
  const r = parser.parse();
  const locate = (path: string) => r.valuePos.get(path);
  const locateKey = (path: string) => r.keyPos.get(path);
  const problems: PolicyProblem[] = [...r.problems];
  let document: PolicyDocument | undefined;
  if (r.ok) {
    for (const p of validateRaw(r.value, kind)) {
      const position = (p.at === 'key' ? locateKey(p.path) : undefined) ?? locate(p.path);
      problems.push(position ? { severity: p.severity, message: p.message, path: p.path, position } : { severity: p.severity, message: p.message, path: p.path });
    }
    if (isObject(r.value)) document = r.value as unknown as PolicyDocument;
  }
  return { document, problems, locate, locateKey };
}
