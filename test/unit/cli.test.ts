import * as assert from 'assert';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { runCli } from '../../src/cli/main';
import { UsageError, type Subcommand } from '../../src/cli/io';
import { memoryIO } from './helpers/io';
import { parseArgs } from '../../src/cli/args';
import { VERSION } from '../../src/core/version';

describe('cli', () => {
  const echo: Subcommand = {
    name: 'echo', summary: 'prints its arguments', usage: 'usage: breakglass echo <word>…',
    async run(argv, io) {
      const p = parseArgs(argv, { upper: { type: 'boolean' } });
      if (!p.positionals.length) throw new UsageError('nothing to echo');
      io.stdout.write((p.options.upper ? p.positionals.join(' ').toUpperCase() : p.positionals.join(' ')) + '\n');
      return 0;
    },
  };

  it('--version prints the package version', async () => {
    const io = memoryIO();
    assert.strictEqual(await runCli(['--version'], io), 0);
    assert.strictEqual(io.out(), `${VERSION}\n`);
    assert.match(VERSION, /^\d+\.\d+\.\d+/);
  });

  it('--help lists the subcommands', async () => {
    const io = memoryIO();
    assert.strictEqual(await runCli(['--help'], io, [echo]), 0);
    assert.match(io.out(), /Usage: breakglass <command>/);
    assert.match(io.out(), /echo\s+prints its arguments/);
  });

  it('an unknown subcommand exits 2 and names the known ones', async () => {
    const io = memoryIO();
    assert.strictEqual(await runCli(['elevat'], io, [echo]), 2);
    assert.match(io.err(), /unknown command 'elevat'.*Known commands: echo/);
  });

  it('runs a subcommand, and turns usage errors into exit 2 with a hint', async () => {
    let io = memoryIO();
    assert.strictEqual(await runCli(['echo', '--upper', 'hi'], io, [echo]), 0);
    assert.strictEqual(io.out(), 'HI\n');
    io = memoryIO();
    assert.strictEqual(await runCli(['echo', '--loud'], io, [echo]), 2);
    assert.match(io.err(), /unknown option --loud.*breakglass echo --help/);
    io = memoryIO();
    assert.strictEqual(await runCli(['echo', '--help'], io, [echo]), 0);
    assert.match(io.out(), /usage: breakglass echo/);
  });

  it('parseArgs handles values, lists, = forms and the -- separator', () => {
    const p = parseArgs(['--a', '1', '--b=2', '--b', '3', 'pos', '--', '--x', 'y'], {
      a: { type: 'string' }, b: { type: 'list' },
    });
    assert.deepStrictEqual(p, { options: { a: '1', b: ['2', '3'] }, positionals: ['pos'], rest: ['--x', 'y'] });
    assert.throws(() => parseArgs(['--a'], { a: { type: 'string' } }), /needs a value/);
  });
});

describe('cli: subcommands load when they run', () => {
  // In a fresh process (this one has loaded everything already): which modules does each invocation require?
  const modulesAfter = (argv: string[]): string[] => {
    const script = `const { runCli } = require('./src/cli/main'); const { memoryIO } = require('./test/unit/helpers/io');
      runCli(${JSON.stringify(argv)}, memoryIO()).then(() => process.stdout.write(JSON.stringify(Object.keys(require.cache))));`;
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as string[];
  };
  const heavy = (files: string[]) => files.filter((f) => /[\\/]src[\\/]cli[\\/]commands[\\/](?!index)|[\\/]@aws-sdk[\\/]|[\\/]src[\\/]core[\\/]policy[\\/]/.test(f));

  it('--version and --help load no subcommand module, no AWS SDK and no policy code', function () {
    this.timeout(60_000);
    assert.deepStrictEqual(heavy(modulesAfter(['--version'])), []);
    assert.deepStrictEqual(heavy(modulesAfter(['--help'])), []);
    assert.ok(modulesAfter(['lint', '--help']).some((f) => /commands[\\/]lint\.ts$/.test(f)), 'a subcommand is loaded when it runs');
  });
});
