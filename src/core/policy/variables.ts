// IAM policy variables: `${aws:username}`, `${aws:PrincipalTag/team}`, any `${key}` of the request context, the
// literal escapes `${*}`, `${?}`, `${$}`, and defaults `${key, 'default'}` (a `''` inside the quotes is one `'`).
//
// Per "IAM policy elements: Variables and tags" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):
// - variables are only substituted when the policy's Version is "2012-10-17"; with "2008-10-17" (or no Version) the
//   text `${aws:username}` is matched literally;
// - a variable whose key is not in the request context (and has no default) cannot be resolved, and the element that
//   uses it does not match ("the entire statement might be invalid");
// - a multivalued context key cannot be used as a variable;
// - key names are case-insensitive, default values are case-sensitive, substitution happens once (no recursion).
import { concatGlobs, globFromPattern, globLiteral, type GlobPattern } from './match';

/** Policy text in which `*` and `?` keep their wildcard meaning. */
interface TextPart { kind: 'text'; text: string }
/** Characters that never act as wildcards: an escape (`${*}`) or a default value. */
interface LiteralPart { kind: 'literal'; text: string }
/** A variable reference. */
interface VariablePart { kind: 'var'; key: string; fallback?: string }
export type TemplatePart = TextPart | LiteralPart | VariablePart;

export interface PolicyTemplate {
  /** The original policy text. */
  text: string;
  parts: TemplatePart[];
  /** Whether any part needs the request context (false: the template is static text). */
  hasVariables: boolean;
  /** Syntax problems found while parsing (e.g. an unterminated `${`); the offending text is kept literally. */
  problems: string[];
}

/** Looks a context key up by its lower-cased name. */
export type ContextLookup = (lowerKey: string) => string | string[] | undefined;

const ESCAPES: Record<string, string> = { '*': '*', '?': '?', $: '$' };

/**
 * Parses policy text into literal text and variable references. With `enabled` false (Version other than
 * 2012-10-17) the whole text is one text part.
 */
export function parseTemplate(text: string, enabled: boolean): PolicyTemplate {
  if (!enabled || !text.includes('${')) {
    return { text, parts: [{ kind: 'text', text }], hasVariables: false, problems: [] };
  }
  const parts: TemplatePart[] = [];
  const problems: string[] = [];
  let hasVariables = false;
  let buf = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('${', i);
    if (at < 0) {
      buf += text.slice(i);
      break;
    }
    buf += text.slice(i, at);
    const ref = parseReference(text, at);
    if (typeof ref === 'string') {
      problems.push(ref);
      buf += '${';
      i = at + 2;
      continue;
    }
    if (buf) parts.push({ kind: 'text', text: buf });
    buf = '';
    parts.push(ref.part);
    if (ref.part.kind === 'var') hasVariables = true;
    i = ref.end;
  }
  if (buf) parts.push({ kind: 'text', text: buf });
  // Escapes alone do not need a context, but they do change the text (`${*}` is a literal star).
  return { text, parts, hasVariables: hasVariables || parts.some((p) => p.kind === 'literal'), problems };
}

/** Parses `${...}` starting at `at`; returns the part and the index after `}`, or a problem description. */
function parseReference(text: string, at: number): { part: TemplatePart; end: number } | string {
  let i = at + 2;
  const inner = text.slice(i, i + 2);
  if (inner.length === 2 && inner[1] === '}' && inner[0] in ESCAPES) {
    return { part: { kind: 'literal', text: ESCAPES[inner[0]] }, end: i + 2 };
  }
  let key = '';
  while (i < text.length && text[i] !== '}' && text[i] !== ',') key += text[i++];
  if (i >= text.length) return `unterminated policy variable '${text.slice(at)}' (missing '}')`;
  key = key.trim();
  if (!key) return `empty policy variable name in '${text.slice(at, i + 1)}'`;
  if (/\s/.test(key)) return `policy variable name '${key}' contains whitespace`;
  if (text[i] === '}') return { part: { kind: 'var', key: key.toLowerCase() }, end: i + 1 };
  // `, 'default'}`
  i++;
  while (text[i] === ' ') i++;
  if (text[i] !== "'") return `policy variable default for '${key}' must be in single quotes: \${${key}, 'default'}`;
  i++;
  let fallback = '';
  for (;;) {
    if (i >= text.length) return `unterminated default value in policy variable '${key}'`;
    if (text[i] === "'") {
      if (text[i + 1] === "'") {
        fallback += "'";
        i += 2;
        continue;
      }
      i++;
      break;
    }
    fallback += text[i++];
  }
  while (text[i] === ' ') i++;
  if (text[i] !== '}') return `expected '}' after the default value of policy variable '${key}'`;
  return { part: { kind: 'var', key: key.toLowerCase(), fallback }, end: i + 1 };
}

/** The value a variable resolves to, or undefined when it cannot be resolved. */
function resolveVariable(part: VariablePart, lookup: ContextLookup): string | undefined {
  const v = lookup(part.key);
  if (typeof v === 'string') return v;
  // Missing, or multivalued (which cannot be used as a variable): the default, if any.
  return part.fallback;
}

/** Resolves the template to plain text (for exact comparisons); undefined when a variable cannot be resolved. */
export function resolveText(t: PolicyTemplate, lookup: ContextLookup): string | undefined {
  if (!t.hasVariables) return t.text;
  let out = '';
  for (const p of t.parts) {
    if (p.kind === 'var') {
      const v = resolveVariable(p, lookup);
      if (v === undefined) return undefined;
      out += v;
    } else out += p.text;
  }
  return out;
}

/**
 * Resolves the template to a glob: policy text keeps its wildcards, while escapes, substituted values and defaults
 * are literal (a tag value containing `*` must not widen the pattern). Undefined when a variable cannot be resolved.
 */
export function resolveGlob(t: PolicyTemplate, lookup: ContextLookup): GlobPattern | undefined {
  if (!t.hasVariables) return globFromPattern(t.text);
  const globs: GlobPattern[] = [];
  for (const p of t.parts) {
    if (p.kind === 'text') globs.push(globFromPattern(p.text));
    else if (p.kind === 'literal') globs.push(globLiteral(p.text));
    else {
      const v = resolveVariable(p, lookup);
      if (v === undefined) return undefined;
      globs.push(globLiteral(v));
    }
  }
  return globs.length ? concatGlobs(globs) : globLiteral('');
}

/** The context keys (lower-cased) a template refers to. */
export function templateKeys(t: PolicyTemplate): string[] {
  return t.parts.filter((p): p is VariablePart => p.kind === 'var').map((p) => p.key);
}
