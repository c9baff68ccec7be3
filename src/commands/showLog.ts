import type { CommandContext } from './context';

/** Break Glass: Show Log — reveals the extension's log channel without stealing focus from the editor. */
export function showLog(ctx: CommandContext): void {
  ctx.log.channel.show(true);
}
