import * as assert from 'assert';
import { MAX_CELLS, sideBySide, splitLines } from '../../../src/core/preview/lineDiff';

const texts = (rows: ReturnType<typeof sideBySide>['rows']) =>
  rows.map((r) => `${r.kind}:${r.left?.text ?? ''}|${r.right?.text ?? ''}`);

describe('preview line diff (side by side)', () => {
  it('splits lines without a phantom last line and handles CRLF', () => {
    assert.deepStrictEqual(splitLines(''), []);
    assert.deepStrictEqual(splitLines('a\nb\n'), ['a', 'b']);
    assert.deepStrictEqual(splitLines('a\r\nb'), ['a', 'b']);
  });

  it('identical texts are all unchanged rows with both line numbers', () => {
    const { rows, approximate } = sideBySide('a\nb\nc', 'a\nb\nc');
    assert.strictEqual(approximate, false);
    assert.deepStrictEqual(rows.map((r) => [r.kind, r.left?.line, r.right?.line]), [['same', 1, 1], ['same', 2, 2], ['same', 3, 3]]);
  });

  it('pairs a replaced line as "changed" and keeps the rest aligned', () => {
    const { rows } = sideBySide('a\nb\nc\nd', 'a\nB\nc\nd');
    assert.deepStrictEqual(texts(rows), ['same:a|a', 'changed:b|B', 'same:c|c', 'same:d|d']);
  });

  it('shows insertions and deletions on one side only, with the right line numbers', () => {
    const { rows } = sideBySide('a\nb\nc', 'a\nx\nb\nc\ny');
    assert.deepStrictEqual(texts(rows), ['same:a|a', 'added:|x', 'same:b|b', 'same:c|c', 'added:|y']);
    assert.deepStrictEqual(rows.map((r) => r.right?.line), [1, 2, 3, 4, 5]);
    const del = sideBySide('a\nb\nc', 'c');
    assert.deepStrictEqual(texts(del.rows), ['removed:a|', 'removed:b|', 'same:c|c']);
  });

  it('pairs uneven change blocks row by row, the longer block\'s rest one-sided', () => {
    const { rows } = sideBySide('a\nb1\nb2\nb3\nz', 'a\nc1\nz');
    assert.deepStrictEqual(texts(rows), ['same:a|a', 'changed:b1|c1', 'removed:b2|', 'removed:b3|', 'same:z|z']);
  });

  it('finds the longest common subsequence, not just a prefix/suffix match', () => {
    const { rows } = sideBySide('x\n{\n"a": 1\n}\ny', 'p\n{\n"a": 1\n}\nq');
    assert.deepStrictEqual(texts(rows), ['changed:x|p', 'same:{|{', 'same:"a": 1|"a": 1', 'same:}|}', 'changed:y|q']);
  });

  it('falls back to a plain side-by-side listing when the texts are too large for an exact diff', () => {
    const n = Math.ceil(Math.sqrt(MAX_CELLS)) + 10;
    const left = Array.from({ length: n }, (_, i) => `l${i}`).join('\n');
    const right = Array.from({ length: n }, (_, i) => `r${i}`).join('\n');
    const { rows, approximate } = sideBySide(left, right);
    assert.strictEqual(approximate, true);
    assert.strictEqual(rows.length, n);
    assert.strictEqual(rows[0].kind, 'changed');
  });

  it('handles empty sides', () => {
    assert.deepStrictEqual(texts(sideBySide('', 'a').rows), ['added:|a']);
    assert.deepStrictEqual(texts(sideBySide('a', '').rows), ['removed:a|']);
    assert.deepStrictEqual(sideBySide('', '').rows, []);
  });
});
