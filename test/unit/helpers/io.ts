// In-memory standard streams for running CLI subcommands in-process.
import { PassThrough } from 'stream';
import type { CliIO } from '../../../src/cli/io';

export function memoryIO(input = ''): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const stdin = new PassThrough();
  stdin.end(input);
  return { stdin, stdout, stderr, env: {}, cwd: process.cwd(), isTTY: false, out: () => out, err: () => err };
}
