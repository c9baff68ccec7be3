import * as assert from 'assert';
import {
  compileIncidentPattern, DEFAULT_INCIDENT_PATTERN, DEFAULT_INCIDENT_PATTERN_SOURCE, INCIDENT_PATTERN_BUDGET,
  MAX_INCIDENT_LENGTH, MAX_INCIDENT_PATTERN_LENGTH,
} from '../../src/core/incident';

describe('core/incident: the incident-ID pattern is bounded before it ever runs', () => {
  it('empty → the default pattern, no problem', () => {
    const c = compileIncidentPattern('  ');
    assert.strictEqual(c.pattern, DEFAULT_INCIDENT_PATTERN);
    assert.strictEqual(c.problem, undefined);
    assert.ok(c.pattern.test('INC-2024-001'));
    assert.ok(!c.pattern.test('inc-1'));
  });

  it('accepts the ticket formats organisations use, and they match as JavaScript would', () => {
    const cases: Array<[string, string[], string[]]> = [
      [DEFAULT_INCIDENT_PATTERN_SOURCE, ['INC-2024-001', 'SEC-42'], ['INC2024', '-1']],
      ['^(INC|SEC)-\\d{4}-\\d{1,6}$', ['INC-2024-1', 'SEC-2024-123456'], ['OPS-2024-1', 'INC-24-1']],
      ['^PD-[A-Z0-9]+$', ['PD-Q1W2E3'], ['PD-', 'pd-1']],
      ['^\\d+$', ['4711'], ['47a']],
      ['^[A-Z]{2,5}-\\d{1,8}(?:-[a-z]+)?$', ['AB-1', 'ABCDE-12345678-hotfix'], ['A-1', 'AB-1-']],
      ['^JIRA\\-\\d{1,6}\\.\\d$', ['JIRA-12.3'], ['JIRA-12x3']],
      ['^\\x49NC-\\u0031$', ['INC-1'], ['INC-2']],
      ['^[^\\s]{3}(?:-\\d){3}$', ['ABC-1-2-3'], ['A C-1-2-3']],
    ];
    for (const [src, yes, no] of cases) {
      const c = compileIncidentPattern(src);
      assert.strictEqual(c.problem, undefined, `${src}: ${c.problem}`);
      assert.strictEqual(c.pattern.source, new RegExp(src).source);
      for (const s of yes) assert.ok(c.pattern.test(s), `${src} matches ${s}`);
      for (const s of no) assert.ok(!c.pattern.test(s), `${src} does not match ${s}`);
      assert.ok(c.cost <= INCIDENT_PATTERN_BUDGET);
    }
  });

  it('a catastrophic pattern is refused at once, with a message naming the setting, the reason and the fallback', () => {
    // ^(a+)+$ on "aaa…a!" takes exponential time in a backtracking engine: 30 a's are seconds, 40 are hours.
    const hostile = 'a'.repeat(40) + '!';
    for (const src of ['^(a+)+$', '(a*)*b', '^(\\d+-?)+$', '^([A-Z]+)*$', '^(a|a)*$', '^(?:a|ab)+c$']) {
      const c = compileIncidentPattern(src);
      assert.ok(c.problem, `${src} refused`);
      assert.match(c.problem, /^breakglass\.incidentPattern ".*" is not used: it contains a repetition of something that itself repeats or has alternatives/);
      assert.match(c.problem, new RegExp(`default ${DEFAULT_INCIDENT_PATTERN_SOURCE.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}`));
      assert.strictEqual(c.pattern, DEFAULT_INCIDENT_PATTERN);
      // The fallback is what runs on the hostile input, and it answers (linear time: the test does not hang).
      assert.strictEqual(c.pattern.test(hostile), false);
    }
  });

  it('refuses polynomial blow-ups and exponential alternation by the path budget, suggesting bounded repetition', () => {
    // Five unbounded repetitions of overlapping classes: ~128^5/5! paths on a failing 128-character input.
    for (const src of ['^\\w*\\w*\\w*\\w*\\w*$', '\\d+-\\d+-\\d+', `^${'(a|a)'.repeat(20)}$`, '^[A-Z]+-\\d+-\\d+-\\w*$']) {
      const c = compileIncidentPattern(src);
      assert.ok(c.problem, `${src} refused`);
      assert.match(c.problem, /can match one ID in about [\d.]+e\+\d+ ways \(limit 100,000\).*e\.g\. \[A-Z\]\{1,10\}/);
    }
    // The same shape with bounds passes.
    assert.strictEqual(compileIncidentPattern('^[A-Z]{1,10}-\\d{1,10}-\\d{1,10}-\\w{0,20}$').problem, undefined);
  });

  it('refuses backreferences, lookaround and syntax it cannot reason about, naming the construct', () => {
    const refused: Array<[string, RegExp]> = [
      ['^(a)\\1$', /backreference \\1/],
      ['^(?<x>a)\\k<x>$', /\(\? group other than \(\?:/],
      ['^(?=a)a$', /lookaround/],
      ['^(?!b)a$', /lookaround/],
      ['^(?<=a)b$', /lookaround/],
      ['^\\p{L}+$', /Unicode property escape/],
      ['^a{2,1}$', /maximum is below its minimum/],
      ['^a{,3}$', /a \{ that is not a quantifier/],
      ['^a**$', /two quantifiers in a row/],
      ['^*a$', /quantifier on an anchor/],
      ['+a', /nothing to repeat/],
      ['^(a$', /a \( without its \)/],
      ['^a)$', /a \) without its \(/],
      ['^[a-$', /a \[ without its \]/],
      ['^[]a$', /empty class/],
      ['^()*$', /matches no characters/],
      ['^\\q$', /unknown escape \\q/],
      ['^[z-a]$', /not a valid regular expression/],
    ];
    for (const [src, why] of refused) {
      const c = compileIncidentPattern(src);
      assert.ok(c.problem, `${src} refused`);
      assert.match(c.problem, why, `${src}: ${c.problem}`);
      assert.strictEqual(c.pattern, DEFAULT_INCIDENT_PATTERN);
    }
  });

  it('bounds the pattern length and never runs on an over-long input', () => {
    const long = '^' + 'A'.repeat(MAX_INCIDENT_PATTERN_LENGTH) + '$';
    assert.match(compileIncidentPattern(long).problem ?? '', new RegExp(`is ${long.length} characters long; keep it under ${MAX_INCIDENT_PATTERN_LENGTH}`));
    const c = compileIncidentPattern('^A+$');
    assert.strictEqual(c.problem, undefined);
    assert.ok(c.pattern.test('A'.repeat(MAX_INCIDENT_LENGTH)));
    // A pasted megabyte is refused without reaching the engine (the RegExp's exec returns no match).
    assert.strictEqual(c.pattern.test('A'.repeat(1_000_000)), false);
    assert.strictEqual(DEFAULT_INCIDENT_PATTERN.test('INC-' + '1'.repeat(MAX_INCIDENT_LENGTH)), false);
    assert.ok(c.pattern instanceof RegExp);
  });

  it('the setting name in the message can be the CLI option', () => {
    assert.match(compileIncidentPattern('(a+)+', '--incident-pattern').problem ?? '', /^--incident-pattern "\(a\+\)\+" is not used/);
  });
});
