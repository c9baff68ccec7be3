// Time-left text shared by the tree, the status bar and terminal names. Pure, so the ticking views only repaint when
// the text actually changes (minutes above 10 min left, seconds below).
export function timeLeft(expiresAtMs: number, nowMs: number): string {
  const s = Math.max(0, Math.floor((expiresAtMs - nowMs) / 1000));
  if (s <= 0) return 'expired';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h) return `${h}h ${String(m).padStart(2, '0')}m left`;
  if (s >= 600) return `${m}m left`;
  return `${m}m ${String(s % 60).padStart(2, '0')}s left`;
}
