// `breakglass elevate`: the terminal adapter of runElevation (src/core/session/run.ts) — arguments in, the MFA code
// from a terminal prompt, stdin or the environment, Ctrl-C as cancellation, credentials out (--json/--export/--exec).
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs, requireString } from '../args';
import { UsageError, type Subcommand } from '../io';
import { cliBase, readSecretLine, runChild } from '../base';
import { ELEVATE_OPTIONS, ELEVATE_USAGE, seconds } from './elevateUsage';
import { terminalSafe } from '../../core/aws/errors';
import { AuditLog, defaultAuditPath } from '../../core/audit/log';
import { parsePlaybookArg, playbookDisplayName } from '../../core/playbooks';
import { runElevation } from '../../core/session/run';
import { sessionAuditFields } from '../../core/session/flow';
import { applyEnvironment, terminalEnvironment } from '../../core/session/terminal';
import { VERSION } from '../../core/version';
import { cliGate } from './approvals';

export { cliBase } from '../base';
export { ELEVATE_OPTIONS } from './elevateUsage';

const sq = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

export const elevateCommand: Subcommand = {
  name: 'elevate',
  summary: 'assume a break-glass role with MFA, a playbook session policy and a time box',
  usage: ELEVATE_USAGE,
  async run(argv, io) {
    const p = parseArgs(argv, ELEVATE_OPTIONS);
    const o = (k: string) => p.options[k] as string | undefined;
    const modes = (['json', 'export', 'exec'] as const).filter((m) => p.options[m]);
    if (modes.length !== 1) throw new UsageError('choose exactly one output: --json, --export or --exec -- COMMAND');
    if (modes[0] === 'exec' && !p.rest.length) throw new UsageError('--exec needs a command after --, e.g. --exec -- aws sts get-caller-identity');
    if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
    const fromStdin = o('token-code') === '-';
    const tokenCode = fromStdin ? undefined : o('token-code') ?? (io.env.BREAKGLASS_MFA_CODE || undefined);
    if (tokenCode === undefined && !fromStdin && !io.isTTY) {
      throw new UsageError('an MFA code is needed and there is no terminal to ask on: pass --token-code - (one line on stdin) or set BREAKGLASS_MFA_CODE');
    }
    const timeoutMs = (seconds(p, 'timeout') ?? 30) * 1000;
    const abort = new AbortController();
    const onInterrupt = () => abort.abort();
    process.once('SIGINT', onInterrupt);
    const base = await cliBase(p, io, undefined, timeoutMs);
    try {
      const audit = new AuditLog(o('audit-log') ?? defaultAuditPath(io.env), { source: `cli/${VERSION}` });
      const roleArn = requireString(p, 'role-arn');
      const playbook = parsePlaybookArg(requireString(p, 'playbook'), io.cwd);
      // Roles and playbooks marked requiresApproval in the config pass the approval gate (issue 12) before the prompt.
      const gate = await cliGate(p, io, base.clients, { roleArn, playbook: playbookDisplayName(playbook) }, audit);
      const outcome = await runElevation({
        roleArn, playbook,
        incidentId: requireString(p, 'incident'), justification: requireString(p, 'justification'), durationSeconds: seconds(p, 'duration'),
        requester: o('requester') ?? io.env.BREAKGLASS_REQUESTER, tokenCode, region: base.region,
        mfaSerial: o('mfa-serial') ?? base.profile?.mfaSerial ?? io.env.BREAKGLASS_MFA_SERIAL,
        roleMaxSessionDuration: seconds(p, 'role-max-duration'), baseIsRoleSession: p.options['role-session'] === true || undefined,
      }, {
        clients: base.clients, audit, timeoutMs, abortSignal: abort.signal, readPlaybookFile: (f) => fs.promises.readFile(f, 'utf8'), gate,
        promptMfaCode: async ({ serial, roleName }) => {
          if (!fromStdin) io.stderr.write(`MFA code for ${serial} (to assume ${roleName}): `);
          return (await readSecretLine(io, abort.signal))?.trim();
        },
      });
      const say = (line: string) => io.stderr.write(`${terminalSafe(line)}\n`);
      if (outcome.status === 'refused') {
        for (const pr of outcome.problems) say(`breakglass elevate: ${pr.field}: ${pr.message}`);
        // No usable approval is a refusal by a rule, not a usage problem (see Exit codes).
        return outcome.problems.some((pr) => pr.field === 'approval') ? 1 : 2;
      }
      if (outcome.status === 'cancelled') return say('breakglass elevate: cancelled at the MFA prompt; nothing was sent to AWS.'), 130;
      if (outcome.status === 'failed') return say(`breakglass elevate: ${outcome.error.title}: ${outcome.error.message}`), abort.signal.aborted ? 130 : 1;
      const { session, credentials } = outcome;
      for (const n of outcome.notes) say(`note: ${n}`);
      await outcome.durable.catch((e: unknown) => say(`breakglass elevate: warning: the 'granted' audit record could not be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`));
      say(outcome.shortened ? `breakglass elevate: shorter session than asked: ${outcome.shortened} Session ${session.id}.`
        : `Granted ${session.roleName} for ${session.incidentId} (playbook ${session.playbook}) until ${session.expiresAt}; session ${session.id} (${session.roleSessionName}).`);
      if (modes[0] === 'json') {
        io.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: credentials.accessKeyId, SecretAccessKey: credentials.secretAccessKey,
          SessionToken: credentials.sessionToken, Expiration: credentials.expiration }) + '\n');
        return 0;
      }
      const env = terminalEnvironment(session, credentials, session.region);
      if (modes[0] === 'export') {
        io.stdout.write(Object.entries(env).map(([k, v]) => (v === null ? `unset ${k}` : `export ${k}=${sq(v)}`)).join('\n') + '\n');
        return 0;
      }
      await audit.append({ event: 'terminal_opened', ...sessionAuditFields(session), details: { delivery: 'exec', command: path.basename(p.rest[0]) } });
      return await runChild(p.rest, applyEnvironment(io.env, env), io);
    } finally {
      process.off('SIGINT', onInterrupt);
      base.clients.destroy();
    }
  },
};
