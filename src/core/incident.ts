// The incident-ID pattern (`breakglass.incidentPattern`): a regular expression an administrator writes once, tested on
// every keystroke of the incident box. JavaScript's regex engine backtracks, so a pattern such as `^(a+)+$` takes
// exponential time on "aaaa…a!" and freezes the extension host. We do not write our own engine; instead a pattern is
// accepted only if its worst case is small enough to be harmless, which is decided BEFORE it ever runs:
//
// 1. Length: the pattern has at most MAX_INCIDENT_PATTERN_LENGTH characters; the input at most MAX_INCIDENT_LENGTH
//    (the returned RegExp refuses longer input without running — a pasted megabyte never reaches the engine).
// 2. A whitelisted subset of the syntax, parsed here: literals, escapes (\d \w \s and their negations, \b, \xHH,
//    \uHHHH, escaped metacharacters), `.`, classes `[…]`, anchors, groups `(…)`/`(?:…)`, `|`, and the quantifiers
//    `* + ? {n} {n,} {n,m}` (greedy or lazy). Refused: backreferences and lookaround (no linear bound exists for them),
//    named groups, Unicode property escapes, and anything else we cannot reason about.
// 3. No nested repetition: a quantifier that can repeat more than once applies only to a fixed-width, choice-free
//    piece (`[A-Z]{2,4}` and `(?:-\d){3}` are fine, `(?:-\d+)+` is refused; `(?:-\d+)?` is fine: `?` only adds one
//    alternative).
// 4. A budget on the number of ways the pattern can match one input: the product over the sequence of each
//    quantifier's choices (how many repetitions, bounded by the input length) and the sum over `|` branches, times the
//    number of start positions when not anchored with `^`. A backtracking engine explores at most that many paths, so
//    the budget bounds its work (≈ budget × input length steps). The default pattern uses 16,641 of 100,000.
//
// Why not a fixed grammar: organisations already have ticket formats (`^(INC|SEC)-\d{4}-\d{1,6}$`, `^PD-[A-Z0-9]+$`)
// and writing them as regular expressions is what the setting has always meant; these rules keep such patterns working
// and only refuse the shapes that are slow. A refused pattern falls back to the default with a message naming why.

/** Longest incident ID accepted (also the upper bound the cost model assumes). */
export const MAX_INCIDENT_LENGTH = 128;
/** Longest pattern accepted. */
export const MAX_INCIDENT_PATTERN_LENGTH = 200;
/** The most ways a pattern may match one input (see rule 4). */
export const INCIDENT_PATTERN_BUDGET = 100_000;

export const DEFAULT_INCIDENT_PATTERN_SOURCE = '^[A-Z][A-Z0-9]*-\\d[\\w-]*$';

/**
 * A RegExp that never runs on input longer than MAX_INCIDENT_LENGTH (exec — and so test, match, search — return no
 * match). Still a RegExp, so `.test()` and `.source` work wherever a RegExp is expected.
 */
export class IncidentPattern extends RegExp {
  override exec(s: string): RegExpExecArray | null {
    return String(s).length > MAX_INCIDENT_LENGTH ? null : super.exec(s);
  }
}

/** Default incident id format: letters, a dash, then a digit and more, e.g. INC-2024-001, SEC-42. */
export const DEFAULT_INCIDENT_PATTERN: RegExp = new IncidentPattern(DEFAULT_INCIDENT_PATTERN_SOURCE);

export interface CompiledIncidentPattern {
  /** The pattern to use: the configured one, or the default when it is empty or refused. */
  pattern: RegExp;
  /** Why the configured pattern was refused (a full sentence naming the setting, the reason and a fix). */
  problem?: string;
  /** The worst-case number of match paths (rule 4) of the pattern in use. */
  cost: number;
}

type Node =
  | { t: 'char' }
  | { t: 'assert'; start?: boolean }
  | { t: 'group'; alt: Node[][] }
  | { t: 'quant'; of: Node; min: number; max: number; text: string };

class PatternError extends Error {}

const CLASS_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S']);
const CONTROL_ESCAPES = new Set(['t', 'n', 'r', 'f', 'v', '0']);

function parse(src: string): Node[][] {
  let i = 0;
  const fail: (what: string) => never = (what) => {
    throw new PatternError(`${what} at position ${i + 1}`);
  };

  const escape = (inClass: boolean): void => {
    const c = src[i + 1];
    if (c === undefined) fail('a trailing backslash');
    if (/[1-9]/.test(c)) fail(`a backreference \\${c} (backreferences can take exponential time)`);
    if (c === 'k') fail('a named backreference \\k');
    if (c === 'p' || c === 'P') fail(`a Unicode property escape \\${c}`);
    if (c === 'c') fail('a control escape \\c');
    if (c === 'x') {
      if (!/^[0-9a-fA-F]{2}$/.test(src.slice(i + 2, i + 4))) fail('\\x without two hex digits');
      i += 4;
      return;
    }
    if (c === 'u') {
      if (!/^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) fail('\\u without four hex digits');
      i += 6;
      return;
    }
    if ((c === 'b' || c === 'B') && inClass) fail(`\\${c} inside [ ]`);
    if (CLASS_ESCAPES.has(c) || CONTROL_ESCAPES.has(c) || c === 'b' || c === 'B' || /[^A-Za-z0-9_]/.test(c)) {
      i += 2;
      return;
    }
    fail(`an unknown escape \\${c} (escape only punctuation, or use \\d \\w \\s)`);
  };

  const charClass = (): void => {
    i++; // [
    if (src[i] === '^') i++;
    let first = true;
    while (i < src.length && (src[i] !== ']' || first)) {
      if (src[i] === ']') fail('an empty class []');
      if (src[i] === '[') fail('an unescaped [ inside a class');
      if (src[i] === '\\') escape(true);
      else i++;
      first = false;
    }
    if (src[i] !== ']') fail('a [ without its ]');
    i++;
  };

  const quantifier = (): { min: number; max: number; text: string } | undefined => {
    const start = i;
    let min: number;
    let max: number;
    const c = src[i];
    if (c === '*') { min = 0; max = Infinity; i++; }
    else if (c === '+') { min = 1; max = Infinity; i++; }
    else if (c === '?') { min = 0; max = 1; i++; }
    else if (c === '{') {
      const m = /^\{(\d{1,3})(,(\d{0,3}))?\}/.exec(src.slice(i));
      if (!m) fail('a { that is not a quantifier {n}, {n,} or {n,m} with at most 3 digits (write \\{ for a literal brace)');
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (max < min) fail(`a quantifier ${m[0]} whose maximum is below its minimum`);
      i += m[0].length;
    } else return undefined;
    if (src[i] === '?') i++; // lazy
    if ('*+?{'.includes(src[i] ?? '') && src[i] !== undefined) fail('two quantifiers in a row');
    return { min, max, text: src.slice(start, i) };
  };

  const alternatives = (depth: number): Node[][] => {
    const alt: Node[][] = [[]];
    while (i < src.length) {
      const c = src[i];
      if (c === ')') {
        if (depth === 0) fail('a ) without its (');
        return alt;
      }
      if (c === '|') { i++; alt.push([]); continue; }
      const atomStart = i;
      let node: Node;
      if (c === '(') {
        if (src.startsWith('(?:', i)) i += 3;
        else if (src[i + 1] === '?') {
          fail(src.startsWith('(?=', i) || src.startsWith('(?!', i) || src.startsWith('(?<=', i) || src.startsWith('(?<!', i)
            ? 'a lookaround (?= (?! (?<= (?<! (they can take exponential time)' : 'a (? group other than (?:');
        } else i++;
        node = { t: 'group', alt: alternatives(depth + 1) };
        if (src[i] !== ')') fail('a ( without its )');
        i++;
      } else if (c === '[') { charClass(); node = { t: 'char' }; }
      else if (c === '\\') {
        const e = src[i + 1];
        escape(false);
        node = e === 'b' || e === 'B' ? { t: 'assert' } : { t: 'char' };
      } else if (c === '^' || c === '$') { i++; node = { t: 'assert', start: c === '^' }; }
      else if (c === '*' || c === '+' || c === '?') fail(`a quantifier ${c} with nothing to repeat`);
      else if (c === '{' || c === '}' || c === ']') fail(`an unescaped ${c} (write \\${c})`);
      else { i++; node = { t: 'char' }; }
      const q = quantifier();
      if (q) {
        if (node.t === 'assert') fail(`a quantifier on an anchor (${src.slice(atomStart, i)})`);
        node = { t: 'quant', of: node, ...q, text: src.slice(atomStart, i) };
      }
      alt[alt.length - 1].push(node);
    }
    return alt;
  };

  const root = alternatives(0);
  if (i < src.length) fail('an unmatched )');
  return root;
}

/** Fixed width of a node, or undefined when it can vary or contains a choice (| or a quantifier). */
function fixedWidth(n: Node): number | undefined {
  switch (n.t) {
    case 'char': return 1;
    case 'assert': return 0;
    case 'quant': return undefined;
    case 'group': {
      if (n.alt.length !== 1) return undefined;
      let w = 0;
      for (const x of n.alt[0]) {
        const f = fixedWidth(x);
        if (f === undefined) return undefined;
        w += f;
      }
      return w;
    }
  }
}

function cost(n: Node): number {
  switch (n.t) {
    case 'char':
    case 'assert':
      return 1;
    case 'group':
      return n.alt.reduce((sum, seq) => sum + seq.reduce((p, x) => p * cost(x), 1), 0);
    case 'quant': {
      const w = fixedWidth(n.of);
      if (w === undefined) {
        // A choice inside: only "at most once" or an exact count multiplies its work by a known, small factor.
        if (n.max === n.min) return cost(n.of) ** n.min;
        if (n.max <= 1) return 1 + cost(n.of);
        throw new PatternError(`a repetition of something that itself repeats or has alternatives (${n.text}): such nesting can take exponential time; repeat a fixed piece instead, e.g. (?:-\\d{1,4}){0,1} or -\\d+`);
      }
      if (w === 0) throw new PatternError(`a repetition of something that matches no characters (${n.text})`);
      const most = Math.min(n.max, Math.floor(MAX_INCIDENT_LENGTH / w));
      return Math.max(1, most - n.min + 1);
    }
  }
}

const anchoredAtStart = (alt: Node[][]): boolean => alt.every((seq) => {
  const first = seq[0];
  return !!first && ((first.t === 'assert' && first.start === true) || (first.t === 'group' && anchoredAtStart(first.alt)));
});

/** The worst-case number of match paths of a pattern (rule 4), or throws PatternError naming what is refused. */
function analyse(src: string): number {
  const root = parse(src);
  const paths = cost({ t: 'group', alt: root });
  return anchoredAtStart(root) ? paths : paths * (MAX_INCIDENT_LENGTH + 1);
}

const DEFAULT_COST = analyse(DEFAULT_INCIDENT_PATTERN_SOURCE);

/**
 * Compiles the configured incident pattern, or explains why not and falls back to the default. Pure and fast: the
 * analysis is linear in the pattern's length, and a refused pattern is never handed to the regex engine.
 */
export function compileIncidentPattern(source: string | undefined, setting = 'breakglass.incidentPattern'): CompiledIncidentPattern {
  const src = (source ?? '').trim();
  if (!src) return { pattern: DEFAULT_INCIDENT_PATTERN, cost: DEFAULT_COST };
  const refuse = (why: string): CompiledIncidentPattern => ({
    pattern: DEFAULT_INCIDENT_PATTERN,
    cost: DEFAULT_COST,
    problem: `${setting} ${JSON.stringify(src.length > 60 ? src.slice(0, 57) + '…' : src)} is not used: ${why}. `
      + `Incident IDs are checked against the default ${DEFAULT_INCIDENT_PATTERN_SOURCE} until you fix it in your user settings.`,
  });
  if (src.length > MAX_INCIDENT_PATTERN_LENGTH) {
    return refuse(`it is ${src.length} characters long; keep it under ${MAX_INCIDENT_PATTERN_LENGTH}`);
  }
  let paths: number;
  try {
    paths = analyse(src);
  } catch (e) {
    if (e instanceof PatternError) return refuse(`it contains ${e.message}`);
    throw e;
  }
  if (paths > INCIDENT_PATTERN_BUDGET) {
    return refuse(`it can match one ID in about ${paths.toExponential(1)} ways (limit ${INCIDENT_PATTERN_BUDGET.toLocaleString('en-US')}), which can freeze the editor; `
      + 'anchor it with ^ and bound open repetitions, e.g. [A-Z]{1,10} instead of [A-Z]+');
  }
  try {
    return { pattern: new IncidentPattern(src), cost: paths };
  } catch (e) {
    return refuse(`it is not a valid regular expression (${(e as Error).message})`);
  }
}
