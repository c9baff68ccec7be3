// Policy lint: the grammar problems of parse.ts plus semantic checks against the offline action catalog, each with a
// stable code and the position of the offending text (for editor diagnostics and `breakglass lint`).
//
// Codes (severity):
//   grammar (error/warning)            JSON syntax and IAM grammar problems reported by parsePolicyText
//   version-missing, version-old (warning)   no Version / the legacy 2008-10-17 (policy variables not substituted)
//   session-size (error; warning ≥ 90 %)     session policy plaintext over AWS's 2,048 characters
//   session-arn-count (error)          more than 10 managed session policy ARNs
//   session-charset (error)            characters STS does not accept in a session policy
//   unknown-service (error)            an action's service prefix is not an IAM service ("did you mean")
//   unknown-action (warning)           an action the catalog does not know ("did you mean")
//   never-matches (warning)            an Action pattern matching no action; Resource ARNs no matched action can
//                                      have; specific ARNs for actions that only take "*"; contradictory conditions
//   allow-not-action, allow-not-resource (warning)   Allow with NotAction / NotResource grants far more than it reads
//   wildcard-action (warning)          Allow "*" or "svc:*" on Resource "*"
//   privilege-escalation, pass-role (warning), data-exfiltration (info)   risks of what the policy grants (risk.ts)
//   condition-type (error)             an operator of the wrong type for the key (NumericLessThan on aws:SourceIp)
//   unknown-condition-key (warning)    a key of a known service that the service does not define
//   mfa-bool-if-exists, mfa-deny-bool (warning)   MFA conditions that let long-term credentials through
//   set-operator-single-valued (warning)   ForAllValues/ForAnyValue on a single-valued key
//   multivalued-without-set-operator (warning)   a multivalued key (ArrayOf…) under an operator without a set operator
//
// Set operators ("Single-valued vs. multivalued context keys",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html):
// "Multivalued context keys require a condition set operator. Do not use condition set operators ForAllValues or
// ForAnyValue with single-valued context keys. Using condition set operators with single-valued context keys can lead
// to overly permissive policies." Evaluation marks such statements as uncertain when the request makes them matter.
//
// Session-policy limits (AWS STS API Reference, AssumeRole, "Policy" and "PolicyArns"): "You can provide up to 10
// managed policy ARNs. However, the plaintext that you use for both inline and managed session policies can't exceed
// 2,048 characters." The JSON may use characters \u0020–\u00FF plus tab, line feed and carriage return. AWS counts the
// document as sent; the CLI and the extension send it minified, so the count is the minified JSON plus the ARNs
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html). The separate packed-size limit
// (PackedPolicyTooLarge) cannot be computed locally.
//
// MFA (IAM User Guide, "AWS global condition context keys", aws:MultiFactorAuthPresent): the key is absent from
// requests signed with long-term access keys. So "Allow … BoolIfExists aws:MultiFactorAuthPresent true" also allows
// long-term keys without MFA, and "Deny … Bool aws:MultiFactorAuthPresent false" does not deny them. Safer forms:
// Allow with "Bool": {"aws:MultiFactorAuthPresent": "true"}, or Deny with "BoolIfExists": {"aws:MultiFactorAuthPresent":
// "false"}.
import { closestMatches, loadCatalog, suggestActions, type Catalog, type CatalogAction } from './catalog';
import { parseConditionOperator, conditionValueStrings, parseNumber, parseDate, setOperatorMismatch, type ConditionFamily } from './conditions';
import { effectivePermissions, isPermitted } from './effective';
import { MAX_POLICY_ARNS, MAX_SESSION_POLICY_PLAINTEXT, POLICY_CHARSET, sessionPolicyPlaintextSize } from './limits';
import { actionMatches } from './match';
import { childPath, indexPath, parsePolicyText, statementEntries, type SourcePosition } from './parse';
import { assessRisks } from './risk';
import type { PolicyDocument, Statement } from './types';

export type LintSeverity = 'error' | 'warning' | 'info';

export interface LintFinding {
  severity: LintSeverity;
  code: string;
  message: string;
  /** JSON path of the offending element ("" = the whole document). */
  path: string;
  position?: SourcePosition;
}

export interface LintOptions {
  /** What the policy is used as; session enables the STS limits, boundary skips "what it grants" risks. */
  kind?: 'session' | 'identity' | 'boundary';
  /** Managed session policy ARNs passed alongside an inline session policy (they count against the limits). */
  managedPolicyArns?: string[];
}

export interface SessionPolicySize {
  /** Characters AWS counts: the minified inline policy plus every managed policy ARN. */
  chars: number;
  limit: number;
  arnCount: number;
  maxArns: number;
}

/** The session-policy plaintext size as AWS counts it (see the header), for the elevation pre-flight too. */
export function sessionPolicySize(doc: PolicyDocument | undefined, arns: string[] = []): SessionPolicySize {
  return { chars: sessionPolicyPlaintextSize(doc, arns), limit: MAX_SESSION_POLICY_PLAINTEXT, arnCount: arns.length, maxArns: MAX_POLICY_ARNS };
}

// ---------------------------------------------------------------------------------------------------------------

const asList = (v: unknown): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');

/** The path of the i-th entry of a string-or-array element. */
const entryPath = (stPath: string, element: string, raw: unknown, i: number): string =>
  Array.isArray(raw) ? indexPath(childPath(stPath, element), i) : childPath(stPath, element);

/** Which operator families fit a key type (Null fits every key). */
function familiesFor(type: string, key: string): ConditionFamily[] | undefined {
  const base = type.replace(/^ArrayOf/, '');
  switch (base) {
    case 'String': return ['String'];
    case 'ARN': return ['Arn', 'String'];
    case 'Bool': return ['Bool'];
    case 'Numeric': return ['Numeric'];
    // aws:EpochTime takes date and numeric operators (IAM User Guide, global condition keys).
    case 'Date': return key.toLowerCase() === 'aws:epochtime' ? ['Date', 'Numeric'] : ['Date'];
    case 'IPAddress': return ['IpAddress'];
    case 'Binary': return ['Binary'];
    default: return undefined;
  }
}

/** Lints policy text. Never throws; findings are sorted by position. */
export function lintPolicy(text: string, opts: LintOptions = {}): LintFinding[] {
  const kind = opts.kind ?? 'identity';
  const arns = opts.managedPolicyArns ?? [];
  const parsed = parsePolicyText(text);
  const findings: LintFinding[] = [];
  const parent = (p: string): string => p.replace(/(\.[^.[\]]+|\[[^\]]*\])$/, '');
  // The position of the element at `path` (its key when `key`), else of the closest ancestor that has one.
  const at = (path: string, key = false): SourcePosition | undefined => {
    for (let p = path; ; p = parent(p)) {
      const pos = (key && p === path ? parsed.locateKey(p) : undefined) ?? parsed.locate(p);
      if (pos || !p || parent(p) === p) return pos ?? parsed.locate('');
    }
  };
  const add = (severity: LintSeverity, code: string, path: string, message: string, key = false): void => {
    const position = at(path, key);
    findings.push(position ? { severity, code, message, path, position } : { severity, code, message, path });
  };

  // Grammar problems from the parser; Version problems get their own codes.
  for (const p of parsed.problems) {
    let code = 'grammar';
    if (p.path === '' && /Version/.test(p.message) && p.severity === 'warning') code = 'version-missing';
    else if (p.path === 'Version' && p.severity === 'warning') code = 'version-old';
    findings.push(p.position ? { severity: p.severity, code, message: p.message, path: p.path, position: p.position }
      : { severity: p.severity, code, message: p.message, path: p.path });
  }
  const doc = parsed.document;

  if (kind === 'session') {
    if (arns.length > MAX_POLICY_ARNS) {
      add('error', 'session-arn-count', '', `${arns.length} managed session policy ARNs: AssumeRole accepts at most ${MAX_POLICY_ARNS}`);
    }
    if (doc) {
      const size = sessionPolicySize(doc, arns);
      const what = arns.length ? `the minified policy plus ${arns.length} ARN(s)` : 'the minified policy';
      if (size.chars > size.limit) {
        add('error', 'session-size', '', `session policy plaintext is ${size.chars} characters (${what}); AWS allows ${size.limit}. ` +
          'Use wildcards such as "ec2:Describe*", merge statements, or move permissions into a managed policy on the role');
      } else if (size.chars >= size.limit * 0.9) {
        add('warning', 'session-size', '', `session policy plaintext is ${size.chars} of ${size.limit} characters (${what}); little room is left`);
      }
    }
    const bad = /[^\u0020-\u00FF\t\n\r]/.exec(text);
    if (bad && !POLICY_CHARSET.test(text)) {
      const before = text.slice(0, bad.index);
      const line = before.split('\n').length - 1;
      const column = bad.index - (before.lastIndexOf('\n') + 1);
      findings.push({
        severity: 'error', code: 'session-charset', path: '',
        message: `character U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} is not accepted in a session policy (only \\u0020–\\u00FF, tab, LF, CR)`,
        position: { offset: bad.index, length: bad[0].length, line, column },
      });
    }
  }

  if (doc && typeof doc === 'object') {
    const catalog = loadCatalog();
    for (const [stPath, raw] of statementEntries(doc)) {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) continue;
      lintStatement(raw as Statement, stPath, catalog, add);
    }
    if (kind !== 'boundary') lintRisks(doc, add);
  }

  const order: Record<LintSeverity, number> = { error: 0, warning: 1, info: 2 };
  return findings.sort((a, b) => (a.position?.offset ?? -1) - (b.position?.offset ?? -1) || order[a.severity] - order[b.severity]);
}

type Add = (severity: LintSeverity, code: string, path: string, message: string, key?: boolean) => void;

function lintStatement(st: Statement, stPath: string, catalog: Catalog, add: Add): void {
  const isAllow = st.Effect === 'Allow';
  const notAction = st.NotAction !== undefined;
  const actionRaw = notAction ? st.NotAction : st.Action;
  const actionEl = notAction ? 'NotAction' : 'Action';
  const actions = asList(actionRaw);
  const resources = asList(st.NotResource !== undefined ? st.NotResource : st.Resource);
  const resourceAll = st.NotResource === undefined && resources.some((r) => /^\*+$/.test(r));

  if (isAllow && notAction) {
    add('warning', 'allow-not-action', childPath(stPath, 'NotAction'),
      'Allow with NotAction grants every action not listed, including actions AWS adds later; list the actions to allow instead', true);
  }
  if (isAllow && st.NotResource !== undefined) {
    add('warning', 'allow-not-resource', childPath(stPath, 'NotResource'),
      'Allow with NotResource grants access to every resource not listed, including resources created later; list the resources instead', true);
  }

  // Actions: unknown services / actions, patterns matching nothing, broad wildcards.
  const matched: CatalogAction[] = [];
  actions.forEach((a, i) => {
    const path = entryPath(stPath, actionEl, actionRaw, i);
    if (a === '*') {
      if (!notAction) matched.push(...catalog.actions);
      if (isAllow && !notAction && resourceAll) add('warning', 'wildcard-action', path, 'Allow "*" on Resource "*" grants every action on every resource (full administrator)');
      return;
    }
    const colon = a.indexOf(':');
    if (colon <= 0) return; // a grammar error, already reported
    const svcPart = a.slice(0, colon);
    const namePart = a.slice(colon + 1);
    if (!/[*?]/.test(svcPart) && !catalog.service(svcPart)) {
      const s = suggestActions(a);
      add('error', 'unknown-service', path, `'${svcPart}' is not an IAM service prefix${s.length ? `; did you mean ${s.map((x) => `'${x}'`).join(' or ')}?` : ''}`);
      return;
    }
    const hits = catalog.expand(a);
    if (!notAction) matched.push(...hits);
    if (!hits.length) {
      if (/[*?]/.test(a)) add('warning', 'never-matches', path, `'${a}' matches no action in the IAM catalog (${catalog.source.package} ${catalog.source.version})`);
      else {
        const s = suggestActions(a);
        add('warning', 'unknown-action', path, `'${a}' is not a known action${s.length ? `; did you mean ${s.map((x) => `'${x}'`).join(' or ')}?` : ''}`);
      }
    } else if (isAllow && !notAction && resourceAll && namePart === '*') {
      add('warning', 'wildcard-action', path, `Allow "${a}" on Resource "*" grants all ${hits.length} ${svcPart} actions on every resource; list the actions needed`);
    }
  });

  // Resources that can never match the statement's actions.
  if (!notAction && st.Resource !== undefined && !resourceAll && matched.length) {
    const services = new Set(matched.map((m) => m.service));
    const arnServices = new Set<string>();
    for (const s of services) for (const a of catalog.service(s)?.arnServices ?? []) arnServices.add(a);
    if (matched.every((m) => m.wildcardOnly)) {
      add('warning', 'never-matches', childPath(stPath, 'Resource'),
        `${describe(matched)} only support${matched.length === 1 ? 's' : ''} Resource "*"; with specific ARNs this statement never applies`);
    } else {
      asList(st.Resource).forEach((r, i) => {
        const parts = r.split(':');
        if (parts.length < 6 || /[*?$]/.test(parts[2])) return;
        if (!arnServices.has(parts[2].toLowerCase())) {
          add('warning', 'never-matches', entryPath(stPath, 'Resource', st.Resource, i),
            `'${r}' is a ${parts[2]} ARN, but the statement's actions are of ${[...services].slice(0, 3).join(', ')}${services.size > 3 ? ', …' : ''}: it never matches`);
        }
      });
    }
  }

  lintConditions(st, stPath, catalog, add);
}

function describe(actions: CatalogAction[]): string {
  return actions.length <= 3 ? actions.map((a) => a.id).join(', ') : `${actions[0].id} and ${actions.length - 1} more`;
}

function lintConditions(st: Statement, stPath: string, catalog: Catalog, add: Add): void {
  const cond = st.Condition;
  if (!cond || typeof cond !== 'object') return;
  const condPath = childPath(stPath, 'Condition');
  // Collected for contradiction checks: single-valued positive tests per lower-case key.
  const equals = new Map<string, Array<{ values: Set<string>; path: string }>>();
  const notEquals = new Map<string, Set<string>>();
  const bounds = new Map<string, { lower?: number; upper?: number; family: string; path: string }>();

  for (const [opName, block] of Object.entries(cond)) {
    if (!block || typeof block !== 'object') continue;
    const opPath = childPath(condPath, opName);
    const op = parseConditionOperator(opName);
    if (typeof op === 'string') continue; // grammar error, already reported
    for (const [key, raw] of Object.entries(block)) {
      const keyPath = childPath(opPath, key);
      const values = conditionValueStrings(raw) ?? [];
      const lowerKey = key.toLowerCase();

      // Key known? Of the right type for the operator?
      const type = catalog.conditionKeyType(key);
      const prefix = key.slice(0, key.indexOf(':')).toLowerCase();
      if (!type && prefix !== 'aws' && catalog.service(prefix) && !key.includes('${')) {
        const svc = catalog.service(prefix);
        const s = closestMatches(key, [...(svc?.conditionKeys.values() ?? [])].map((k) => k.key).filter((k) => !k.includes('${')));
        add('warning', 'unknown-condition-key', keyPath, `'${key}' is not a condition key of ${prefix}${s.length ? `; did you mean ${s.map((x) => `'${x}'`).join(' or ')}?` : ''}`, true);
      }
      if (type && op.base.family !== 'Null') {
        const fits = familiesFor(type, key);
        if (fits && !fits.includes(op.base.family)) {
          add('error', 'condition-type', keyPath,
            `${op.canonical} compares ${op.base.family === 'IpAddress' ? 'IP addresses' : op.base.family.toLowerCase() + ' values'}, but ${key} is of type ${type}: ` +
            `the condition never matches as intended; use a ${fits[0] === 'IpAddress' ? 'IpAddress/NotIpAddress' : fits[0] + '*'} operator`, true);
        }
      }

      // Set operators that do not fit the key's cardinality.
      const mismatch = setOperatorMismatch(op, type);
      if (mismatch === 'set-on-single-valued') {
        const plain = `${op.base.name}${op.ifExists ? 'IfExists' : ''}`;
        add('warning', 'set-operator-single-valued', keyPath,
          `${op.canonical} on ${key}, a single-valued key: AWS warns that set operators on single-valued keys "can lead to overly permissive policies" ` +
          `(${op.set === 'ForAllValues' ? 'ForAllValues is true when the key is absent' : 'the result depends on how the value is sent'}); use ${plain}`, true);
      } else if (mismatch === 'multivalued-without-set') {
        add('warning', 'multivalued-without-set-operator', keyPath,
          `${key} is multivalued (${type}) and needs a set operator: write ForAnyValue:${op.canonical} (any value matches) or ForAllValues:${op.canonical} (every value matches)`, true);
      }

      // MFA anti-patterns.
      if (lowerKey === 'aws:multifactorauthpresent' && op.base.family === 'Bool' && !op.set) {
        const v = values.map((x) => x.toLowerCase());
        if (st.Effect === 'Allow' && op.ifExists && v.includes('true')) {
          add('warning', 'mfa-bool-if-exists', keyPath,
            'Allow with BoolIfExists aws:MultiFactorAuthPresent "true" also allows requests signed with long-term access keys (the key is absent there, so IfExists passes); use "Bool" to require MFA', true);
        }
        if (st.Effect === 'Deny' && !op.ifExists && v.includes('false')) {
          add('warning', 'mfa-deny-bool', keyPath,
            'Deny with Bool aws:MultiFactorAuthPresent "false" does not deny requests signed with long-term access keys (the key is absent, so Bool does not match); use "BoolIfExists" with "false"', true);
        }
      }

      // Contradictions, only for plain single-valued tests (no set operator, no IfExists, no variables).
      if (op.set || op.ifExists || values.some((v) => v.includes('${'))) continue;
      if (op.base.name === 'StringEquals') {
        const list = equals.get(lowerKey) ?? [];
        list.push({ values: new Set(values), path: keyPath });
        equals.set(lowerKey, list);
      } else if (op.base.name === 'StringNotEquals') {
        const s = notEquals.get(lowerKey) ?? new Set<string>();
        values.forEach((v) => s.add(v));
        notEquals.set(lowerKey, s);
      } else if ((op.base.family === 'Numeric' || op.base.family === 'Date') && values.length === 1) {
        const n = op.base.family === 'Numeric' ? parseNumber(values[0]) : parseDate(values[0]);
        if (n === undefined) continue;
        const b = bounds.get(lowerKey + '|' + op.base.family) ?? { family: op.base.family, path: keyPath };
        const name = op.base.name.replace(/^(Numeric|Date)/, '');
        if (name === 'LessThan') b.upper = Math.min(b.upper ?? Infinity, n - Number.EPSILON);
        else if (name === 'LessThanEquals') b.upper = Math.min(b.upper ?? Infinity, n);
        else if (name === 'GreaterThan') b.lower = Math.max(b.lower ?? -Infinity, n + Number.EPSILON);
        else if (name === 'GreaterThanEquals') b.lower = Math.max(b.lower ?? -Infinity, n);
        else continue;
        b.path = keyPath;
        bounds.set(lowerKey + '|' + op.base.family, b);
      }
    }
  }
  // The same key under StringEquals twice (keys are case-insensitive, so JSON allows it) with disjoint values, or
  // StringEquals values all excluded by StringNotEquals: no single value satisfies both.
  for (const [key, list] of equals) {
    let possible = list[0].values;
    for (const e of list.slice(1)) possible = new Set([...possible].filter((v) => e.values.has(v)));
    const excluded = notEquals.get(key);
    if (excluded) possible = new Set([...possible].filter((v) => !excluded.has(v)));
    if (possible.size === 0) {
      add('warning', 'never-matches', list[list.length - 1].path,
        `the conditions on ${key} contradict each other (no single value satisfies all of them): the statement never applies`, true);
    }
  }
  for (const [key, b] of bounds) {
    if (b.lower !== undefined && b.upper !== undefined && b.lower > b.upper) {
      add('warning', 'never-matches', b.path, `the ${b.family} conditions on ${key.split('|')[0]} leave an empty range: the statement never applies`, true);
    }
  }
}

/** Risks of what the policy grants on its own (as if it were the only identity policy). */
function lintRisks(doc: PolicyDocument, add: Add): void {
  const result = effectivePermissions({ identity: [{ name: 'policy', document: doc }] });
  const granted = result.actions.filter((e) => isPermitted(e.status));
  if (!granted.length) return;
  const entries = statementEntries(doc);
  // The Action entry that grants an action (first Allow statement covering it), for the finding's position.
  const locateGrant = (action: string): string => {
    for (const [stPath, raw] of entries) {
      const st = raw as Statement;
      if (!st || st.Effect !== 'Allow') continue;
      if (st.NotAction !== undefined) {
        if (!asList(st.NotAction).some((p) => actionMatches(p, action))) return childPath(stPath, 'NotAction');
        continue;
      }
      const list = asList(st.Action);
      const i = list.findIndex((p) => actionMatches(p, action));
      if (i >= 0) return entryPath(stPath, 'Action', st.Action, i);
    }
    return '';
  };
  // One finding per granting Action entry and category: a policy that grants "*" would otherwise get twenty.
  const groups = new Map<string, { category: string; path: string; reasons: string[]; actions: string[] }>();
  for (const f of assessRisks(granted)) {
    if (f.category !== 'privilege-escalation' && f.category !== 'pass-role' && f.category !== 'data-exfiltration') continue;
    const path = locateGrant(f.actions[f.category === 'data-exfiltration' ? 0 : f.actions.length - 1]);
    const key = `${f.category}\u0000${path}`;
    const g = groups.get(key) ?? { category: f.category, path, reasons: [], actions: [] };
    g.reasons.push(f.reason);
    g.actions.push(f.actions.join(' + '));
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    const severity: LintSeverity = g.category === 'data-exfiltration' ? 'info' : 'warning';
    const advice = g.category === 'data-exfiltration' ? 'scope it to the resources the playbook needs'
      : 'keep it out of emergency sessions unless the playbook needs it';
    const message = g.reasons.length === 1 ? `${g.reasons[0]}; ${advice}`
      : `grants ${g.reasons.length} ${g.category === 'data-exfiltration' ? 'data-exfiltration reads on every resource' : g.category + ' paths'}: ` +
        `${g.actions.slice(0, 6).join(', ')}${g.actions.length > 6 ? ', …' : ''}; ${advice}`;
    add(severity, g.category, g.path, message);
  }
}
