import * as assert from 'assert';
import { parseTemplate, resolveGlob, resolveText, type ContextLookup } from '../../../src/core/policy/variables';
import { compileGlob } from '../../../src/core/policy/match';

// "IAM policy elements: Variables and tags": https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
const ctx = (o: Record<string, string | string[]>): ContextLookup => {
  const m = new Map(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
  return (k) => m.get(k);
};

describe('policy/variables', () => {
  const lookup = ctx({ 'aws:username': 'alice', 'aws:PrincipalTag/team': 'blue', 'aws:TagKeys': ['a', 'b'], 'tag:odd': 'x*y' });

  it('substitutes keys case-insensitively, once', () => {
    assert.strictEqual(resolveText(parseTemplate('home/${aws:username}/', true), lookup), 'home/alice/');
    assert.strictEqual(resolveText(parseTemplate('${AWS:UserName}-${aws:principaltag/TEAM}', true), lookup), 'alice-blue');
    assert.strictEqual(resolveText(parseTemplate("${missing, '${aws:username}'}", true), lookup), '${aws:username}');
  });

  it('leaves the text alone unless the policy Version enables variables', () => {
    const t = parseTemplate('home/${aws:username}/', false);
    assert.strictEqual(t.hasVariables, false);
    assert.strictEqual(resolveText(t, lookup), 'home/${aws:username}/');
  });

  it('an unresolvable variable (missing or multivalued key, no default) fails to resolve', () => {
    assert.strictEqual(resolveText(parseTemplate('${aws:userid}', true), lookup), undefined);
    assert.strictEqual(resolveText(parseTemplate('${aws:TagKeys}', true), lookup), undefined);
    assert.strictEqual(resolveGlob(parseTemplate('arn:aws:s3:::b/${aws:userid}/*', true), lookup), undefined);
  });

  it("uses ${key, 'default'} defaults, with '' as an escaped quote and spaces around the parts ignored", () => {
    assert.strictEqual(resolveText(parseTemplate("${aws:userid, 'nobody'}", true), lookup), 'nobody');
    assert.strictEqual(resolveText(parseTemplate("${ aws:username , 'nobody' }", true), lookup), 'alice');
    assert.strictEqual(resolveText(parseTemplate("${x, 'it''s'}", true), lookup), "it's");
  });

  it('${*}, ${?} and ${$} are literal characters, never wildcards', () => {
    const g = resolveGlob(parseTemplate('a${*}b*', true), lookup);
    assert.ok(g);
    const m = compileGlob(g);
    assert.ok(m('a*bzzz'));
    assert.ok(!m('axbzzz'));
    assert.strictEqual(resolveText(parseTemplate('${$}{x}${?}', true), lookup), '${x}?');
  });

  it('substituted values are literal in globs (a value containing * does not widen the pattern)', () => {
    const m = compileGlob(resolveGlob(parseTemplate('${tag:odd}', true), lookup)!);
    assert.ok(m('x*y'));
    assert.ok(!m('xzzy'));
  });

  it('reports malformed references and keeps them as literal text', () => {
    const t = parseTemplate('a${aws:username', true);
    assert.match(t.problems[0], /unterminated/);
    assert.strictEqual(resolveText(t, lookup), 'a${aws:username');
    assert.match(parseTemplate('${}', true).problems[0], /empty/);
    assert.match(parseTemplate('${k, nodefault}', true).problems[0], /single quotes/);
  });
});
