import * as assert from 'assert';
import { formatDuration, timeLeft, timeLeftSpoken } from '../../src/views/countdown';

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
  it('says the time left in words, never finer than a minute (screen readers are not re-read every second)', () => {
    assert.strictEqual(timeLeftSpoken(at + 2 * 3600_000, at), '2 hours left');
    assert.strictEqual(timeLeftSpoken(at + 3600_000 + 60_000 + 5_000, at), '1 hour 1 minute left');
    assert.strictEqual(timeLeftSpoken(at + 42 * 60_000 + 5_000, at), '42 minutes left');
    assert.strictEqual(timeLeftSpoken(at + 10 * 60_000, at), '10 minutes left');
    assert.strictEqual(timeLeftSpoken(at + 9 * 60_000 + 59_000, at), 'under 10 minutes left');
    assert.strictEqual(timeLeftSpoken(at + 60_000, at), 'under 2 minutes left');
    assert.strictEqual(timeLeftSpoken(at + 999, at), 'under 1 minute left');
    assert.strictEqual(timeLeftSpoken(at, at), 'expired');
    // Every second of the last ten minutes: the visible countdown changes 600 times, the spoken one 10 times.
    const spoken = new Set<string>();
    const shown = new Set<string>();
    for (let ms = 600_000; ms > 0; ms -= 1000) { spoken.add(timeLeftSpoken(at + ms, at)); shown.add(timeLeft(at + ms, at)); }
    assert.strictEqual(shown.size, 600);
    assert.strictEqual(spoken.size, 11); // "10 minutes left" at exactly 10:00, then under 10 … under 1
  });
});
