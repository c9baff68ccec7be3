// Where in a (possibly half-typed) JSON document an offset is: the key path of the enclosing string, whether it is a
// property name or a value, and the string's range. Tolerant by design: it tokenizes strings and brackets only, so it
// works while the responder is typing (`"ec2:` with no closing quote, a missing comma) where a parser gives up.
// Comments must already be blanked (playbookFormat.blankJsonComments).

export type PathSegment = string | number;

export interface StringToken {
  /** Offset of the opening quote. */
  start: number;
  /** Offset just after the closing quote (or the end of the line when the string is unterminated). */
  end: number;
  /** Whether the closing quote is there. */
  closed: boolean;
  value: string;
  /** Key path of the containing value (for a property name: of its object). */
  path: PathSegment[];
  isKey: boolean;
}

interface Frame {
  type: 'object' | 'array';
  key?: string;
  index: number;
  expectKey: boolean;
}

/** Every string token with its path, in order. */
export function scanStrings(text: string): StringToken[] {
  const out: StringToken[] = [];
  const stack: Frame[] = [];
  const pathOf = (): PathSegment[] => {
    const p: PathSegment[] = [];
    for (const f of stack) {
      if (f.type === 'array') p.push(f.index);
      else if (f.key !== undefined && !f.expectKey) p.push(f.key);
      else p.push('');
    }
    // The innermost frame's entry is the value position; drop placeholders of frames still expecting a key.
    return p;
  };
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      const start = i++;
      let value = '';
      let closed = false;
      while (i < n) {
        const d = text[i];
        if (d === '"') { closed = true; i++; break; }
        if (d === '\n' || d === '\r') break;
        if (d === '\\' && i + 1 < n) { value += text[i + 1]; i += 2; continue; }
        value += d;
        i++;
      }
      const top = stack[stack.length - 1];
      const isKey = !!top && top.type === 'object' && top.expectKey;
      const path = pathOf();
      if (isKey) path.pop();
      out.push({ start, end: i, closed, value, path, isKey });
      if (isKey) top.key = value;
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === '{' || c === '[') {
      stack.push({ type: c === '{' ? 'object' : 'array', index: 0, expectKey: c === '{' });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ':') {
      if (top?.type === 'object') top.expectKey = false;
    } else if (c === ',') {
      if (top?.type === 'object') { top.expectKey = true; top.key = undefined; } else if (top) top.index++;
    }
    i++;
  }
  return out;
}

export interface JsonContext {
  token: StringToken;
  /** The string's content before the offset (what has been typed). */
  prefix: string;
  /** Range of the string's content (without quotes) to replace. */
  contentStart: number;
  contentEnd: number;
}

/** The string token containing `offset` (between its quotes), if any. */
export function contextAt(text: string, offset: number): JsonContext | undefined {
  for (const t of scanStrings(text)) {
    const contentEnd = t.closed ? t.end - 1 : t.end;
    if (offset > t.start && offset <= contentEnd) {
      return { token: t, prefix: text.slice(t.start + 1, offset), contentStart: t.start + 1, contentEnd };
    }
    if (t.start >= offset) break;
  }
  return undefined;
}

/** The path of the statement object containing a path (up to `Statement` or `Statement[i]`), if any. */
export function statementPathOf(path: PathSegment[]): PathSegment[] | undefined {
  const k = path.lastIndexOf('Statement');
  if (k < 0) return undefined;
  return typeof path[k + 1] === 'number' ? path.slice(0, k + 2) : path.slice(0, k + 1);
}

export const samePrefix = (path: PathSegment[], prefix: PathSegment[]): boolean =>
  prefix.length <= path.length && prefix.every((s, i) => path[i] === s);
