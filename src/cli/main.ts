// `breakglass`: the headless face of the extension, for a jump host when the editor is unavailable.
import { VERSION } from '../core/version';
import { SUBCOMMANDS } from './commands';
import { processIO, UsageError, type CliIO, type LazySubcommand, type Subcommand } from './io';

type Entry = Subcommand | LazySubcommand;

export function helpText(subcommands: Entry[] = SUBCOMMANDS): string {
  const width = Math.max(8, ...subcommands.map((s) => s.name.length));
  return [
    `breakglass ${VERSION} — pre-provisioned, MFA-gated, time-boxed AWS emergency access (SEC10-BP05)`,
    '',
    'Usage: breakglass <command> [options]',
    '',
    'Commands:',
    ...subcommands.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`),
    '',
    'Options:',
    '  --help, -h     show this help (or a command\'s: breakglass <command> --help)',
    '  --version, -v  print the version',
    '',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIO, subcommands: Entry[] = SUBCOMMANDS): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    if (first === 'help' && rest[0]) return runCli([rest[0], '--help'], io, subcommands);
    io.stdout.write(helpText(subcommands));
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const entry = subcommands.find((s) => s.name === first);
  if (!entry) {
    const known = subcommands.map((s) => s.name).join(', ') || '(none)';
    io.stderr.write(`breakglass: unknown command '${first}'. Known commands: ${known}. Run 'breakglass --help'.\n`);
    return 2;
  }
  const cmd = 'load' in entry ? await entry.load() : entry;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(cmd.usage.endsWith('\n') ? cmd.usage : cmd.usage + '\n');
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`breakglass ${cmd.name}: ${e.message}. Run 'breakglass ${cmd.name} --help'.\n`);
      return 2;
    }
    io.stderr.write(`breakglass ${cmd.name}: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  // The AWS SDK warns on every run under Node 20 that future SDK releases will need Node 22. Mid-incident that is
  // noise on stderr next to the output a responder is reading; the project's engines field documents the version.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  runCli(process.argv.slice(2), processIO()).then(
    (code) => { process.exitCode = code; },
    (e) => { process.stderr.write(`breakglass: ${(e as Error).message}\n`); process.exitCode = 1; },
  );
}
