// Time texts shared by the tree, the status bar, the pickers and terminal names. Pure, so the ticking views only repaint when
// the text actually changes (minutes above 10 min left, seconds below).
export function timeLeft(expiresAtMs: number, nowMs: number): string {
  // Rounded up: "expired" only once the instant has passed, never with a fraction of a second still left.
  const s = Math.max(0, Math.ceil((expiresAtMs - nowMs) / 1000));
  if (s <= 0) return 'expired';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h) return `${h}h ${String(m).padStart(2, '0')}m left`;
  if (s >= 600) return `${m}m left`;
  return `${m}m ${String(s % 60).padStart(2, '0')}s left`;
}

/** A duration for labels: "2 h", "15 min", "1 h 30 min". */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return h && m ? `${h} h ${m} min` : h ? `${h} h` : `${m} min`;
}

/**
 * The time left in words for screen readers (accessible labels of the tree and the status bar): never finer than a
 * minute, so a label that is re-read whenever it changes is not re-read every second in the last ten minutes
 * ("under 3 minutes left" from 2m 00s to 2m 59s). Same rounding as timeLeft: "expired" once the instant has passed.
 */
export function timeLeftSpoken(expiresAtMs: number, nowMs: number): string {
  const s = Math.max(0, Math.ceil((expiresAtMs - nowMs) / 1000));
  if (s <= 0) return 'expired';
  const units = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  if (s < 600) return `under ${units(Math.floor(s / 60) + 1, 'minute')} left`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${units(h, 'hour')}${m ? ` ${units(m, 'minute')}` : ''} left` : `${units(m, 'minute')} left`;
}
