// EventBridge event-pattern matching for the subset of the pattern language Break Glass uses (and the readiness drill
// checks): exact values (arrays are OR), prefix, suffix, wildcard, anything-but (values or a prefix), exists,
// equals-ignore-case, numeric equality and $or — with EventBridge's rules: every field of the pattern must match, a
// pattern array matches if ANY of its values matches, an event array matches if ANY of its elements matches, and a
// missing field matches only {"exists": false}. Anything else is rejected as unsupported rather than guessed
// (an unknown operator is an error, never a match).
// Reference: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
export type EventPattern = Record<string, unknown>;

export class UnsupportedPatternError extends Error {}

function wildcardToRegExp(w: string): RegExp {
  return new RegExp('^' + w.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 's');
}

function matchOne(rule: unknown, value: unknown, present: boolean): boolean {
  if (rule === null || typeof rule !== 'object') return present && (value === rule || (typeof rule === 'number' && Number(value) === rule && typeof value === 'number'));
  const r = rule as Record<string, unknown>;
  const keys = Object.keys(r);
  if (keys.length !== 1) throw new UnsupportedPatternError(`pattern operator object must have one key, got ${JSON.stringify(rule)}`);
  const [op] = keys;
  const arg = r[op];
  switch (op) {
    case 'exists': return arg ? present : !present;
    case 'prefix':
      if (typeof arg === 'object' && arg && 'equals-ignore-case' in arg) return present && typeof value === 'string' && value.toLowerCase().startsWith(String((arg as Record<string, unknown>)['equals-ignore-case']).toLowerCase());
      return present && typeof value === 'string' && value.startsWith(String(arg));
    case 'suffix':
      if (typeof arg === 'object' && arg && 'equals-ignore-case' in arg) return present && typeof value === 'string' && value.toLowerCase().endsWith(String((arg as Record<string, unknown>)['equals-ignore-case']).toLowerCase());
      return present && typeof value === 'string' && value.endsWith(String(arg));
    case 'wildcard': return present && typeof value === 'string' && wildcardToRegExp(String(arg)).test(value);
    case 'equals-ignore-case': return present && typeof value === 'string' && value.toLowerCase() === String(arg).toLowerCase();
    case 'anything-but': {
      if (!present) return false;
      if (Array.isArray(arg)) return !arg.some((a) => matchOne(a, value, true));
      if (arg && typeof arg === 'object') return !matchOne(arg, value, true);
      return value !== arg;
    }
    default: throw new UnsupportedPatternError(`pattern operator "${op}" is not supported by this matcher`);
  }
}

function matchField(rules: unknown, value: unknown, present: boolean): boolean {
  if (!Array.isArray(rules)) {
    if (rules && typeof rules === 'object') return present && value !== null && typeof value === 'object' && !Array.isArray(value) && matchesPattern(rules as EventPattern, value as Record<string, unknown>);
    throw new UnsupportedPatternError(`pattern values must be arrays or objects, got ${JSON.stringify(rules)}`);
  }
  const values = Array.isArray(value) ? value : [value];
  // {"exists": false} on a present field with an array value is judged on presence, not per element.
  return rules.some((rule) => (rule && typeof rule === 'object' && 'exists' in (rule as object)) ? matchOne(rule, value, present) : values.some((v) => matchOne(rule, v, present)));
}

/** Whether an event (the EventBridge envelope: source, detail-type, detail, …) matches a pattern. */
export function matchesPattern(pattern: EventPattern, event: Record<string, unknown>): boolean {
  for (const [key, rules] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(rules)) throw new UnsupportedPatternError('$or takes an array of patterns');
      if (!rules.some((p) => matchesPattern(p as EventPattern, event))) return false;
      continue;
    }
    const present = Object.prototype.hasOwnProperty.call(event, key);
    if (!matchField(rules, event[key], present)) return false;
  }
  return true;
}
