import * as assert from 'assert';
import { formatDuration, timeLeft } from '../../src/views/countdown';

describe('countdown texts', () => {
  const at = Date.parse('2026-11-23T12:00:00Z');
  it('shows hours and minutes, then minutes, then seconds in the last ten minutes', () => {
    assert.strictEqual(timeLeft(at + 2 * 3600_000, at), '2h 00m left');
    assert.strictEqual(timeLeft(at + 42 * 60_000 + 5_000, at), '42m left');
    assert.strictEqual(timeLeft(at + 9 * 60_000 + 7_000, at), '9m 07s left');
    assert.strictEqual(timeLeft(at + 999, at), '0m 01s left');
    assert.strictEqual(timeLeft(at, at), 'expired');
    assert.strictEqual(timeLeft(at - 5000, at), 'expired');
  });
  it('formats durations for labels', () => {
    assert.deepStrictEqual([900, 3600, 5400, 28800].map(formatDuration), ['15 min', '1 h', '1 h 30 min', '8 h']);
  });
});
