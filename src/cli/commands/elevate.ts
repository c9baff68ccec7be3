// `breakglass elevate`: MFA-gated, time-boxed, audited elevation from a terminal — the same pre-flight, the same single
// sts:AssumeRole call and the same audit log as the extension.
import { spawn } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { parseArgs, requireString, type Parsed } from '../args';
import { UsageError, type CliIO, type Subcommand } from '../io';
import { AwsClients, type CredentialsInput } from '../../core/aws/clients';
import { baseCredentials, envIsRoleSession, readProfile, type ProfileInfo } from '../../core/aws/credentials';
import { BreakGlassError } from '../../core/aws/errors';
import { AuditLog, defaultAuditPath } from '../../core/audit/log';
import { planElevation, type PlaybookRef } from '../../core/session/elevate';
import { elevateAndRecord, recordRequest, sessionAuditFields, type PendingRequest } from '../../core/session/flow';
import { applyEnvironment, terminalEnvironment } from '../../core/session/terminal';
import { loadPolicySource } from '../../core/policy/sources';
import { ROLE_TEMPLATES, SESSION_POLICY_TEMPLATES } from '../../core/templates';
import { VERSION } from '../../core/version';
import { cliGate } from './approvals';

const USAGE = `usage: breakglass elevate --role-arn ARN --playbook NAME|FILE --incident ID --justification TEXT
                          (--json | --export | --exec -- COMMAND [ARGS…]) [options]

Assume a pre-provisioned break-glass role with MFA, a least-privilege session policy (the playbook) and a time box.
Exactly one sts:AssumeRole call is made; every request, grant and failure is appended to the audit log.

Required:
  --role-arn ARN          the break-glass role, e.g. arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER
  --playbook NAME|FILE    ${Object.keys(SESSION_POLICY_TEMPLATES).join(', ')},
                          a JSON session-policy file, or a managed policy ARN
  --incident ID           incident id, e.g. INC-2024-001
  --justification TEXT    why break-glass access is needed

Output (one of):
  --json                  the new session's credentials once, as JSON in the credential_process format
                          ({"Version":1,"AccessKeyId",…}); not usable AS a credential_process (it needs an MFA
                          code each time) — for ~/.aws/config use 'breakglass credential-process'
  --export                shell export lines (eval "$(breakglass elevate … --export)")
  --exec -- CMD [ARGS…]   run CMD with the session's credentials; exits with its exit code

Options:
  --duration SECONDS      session length (default: the playbook's maximum; clamped to the role's maximum)
  --mfa-serial ARN        MFA device (default: the profile's mfa_serial, or $BREAKGLASS_MFA_SERIAL)
  --token-code CODE       6-digit MFA code (prompted for on a terminal when omitted)
  --requester NAME        who asks (default: $BREAKGLASS_REQUESTER, else the OS user name)
  --profile NAME          base credentials profile (default: environment / default chain)
  --region REGION         STS region (default: the profile's, $AWS_REGION, or us-east-1)
  --endpoint-url URL      AWS endpoint override (also AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS)
  --audit-log FILE        audit log (default: $BREAKGLASS_AUDIT_LOG or ~/.breakglass/audit.jsonl)
  --role-session          base credentials are a role session (caps the duration at 1 h; detected for role/SSO profiles)
  --config FILE           workspace config (default: ./.breakglass/config.json when present): roles and playbooks
                          marked requiresApproval need an approved request (breakglass request / approve)
  --request ID            use this approved request (default: your approved request for the role, policy and incident)
  --break-glass-anyway TEXT  elevate WITHOUT approval, where approvals.allowBreakGlassAnyway is true: TEXT says why
                          (at least 15 characters); audited and notified at once

Exit codes: 0 success (or CMD's code with --exec), 1 AWS refused or failed (or no usable approval for a role that
requires one), 2 usage or pre-flight problems.
`;

export const ELEVATE_OPTIONS = {
  'role-arn': { type: 'string' }, playbook: { type: 'string' }, incident: { type: 'string' }, justification: { type: 'string' },
  duration: { type: 'string' }, 'mfa-serial': { type: 'string' }, 'token-code': { type: 'string' }, requester: { type: 'string' },
  profile: { type: 'string' }, region: { type: 'string' }, 'endpoint-url': { type: 'string' }, 'audit-log': { type: 'string' },
  json: { type: 'boolean' }, export: { type: 'boolean' }, exec: { type: 'boolean' }, 'role-session': { type: 'boolean' },
  config: { type: 'string' }, request: { type: 'string' }, 'break-glass-anyway': { type: 'string' }, // approvals (issue 12)
} as const;

/** Base credentials and profile facts shared by elevate and revoke. Honours io.env (in-process tests). */
export async function cliBase(p: Parsed, io: CliIO, mfaPrompt?: (serial: string) => Promise<string>): Promise<{
  clients: AwsClients; profile?: ProfileInfo; region?: string; isRoleSession?: boolean;
}> {
  const env = io.env;
  const profileName = (p.options.profile as string | undefined) ?? env.AWS_PROFILE;
  const profile = profileName ? await readProfile(profileName, env) : undefined;
  if (profileName && !profile && p.options.profile) throw new UsageError(`profile '${profileName}' is not defined in the AWS config or credentials file`);
  const region = (p.options.region as string | undefined) ?? profile?.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const endpointUrl = p.options['endpoint-url'] as string | undefined;
  let credentials: CredentialsInput;
  let isRoleSession: boolean | undefined;
  if (!p.options.profile && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
    isRoleSession = envIsRoleSession(env);
  } else if (profileName) {
    credentials = baseCredentials({ source: { kind: 'profile', profile: profileName }, mfaCodeProvider: mfaPrompt, region, endpointUrl });
    isRoleSession = profile?.isRoleSession;
  } else {
    credentials = baseCredentials({ source: { kind: 'default' }, mfaCodeProvider: mfaPrompt, region, endpointUrl });
  }
  const clients = new AwsClients({ region, credentials, endpointUrl, env });
  return { clients, profile, region, isRoleSession };
}

/** Reads one line from stdin (the MFA code). The code is never echoed back or logged by us. */
export function readLine(io: CliIO): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer | string) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        cleanup();
        resolve(buf.slice(0, nl).replace(/\r$/, ''));
      }
    };
    const onEnd = () => { cleanup(); resolve(buf); };
    const onError = (e: Error) => { cleanup(); reject(e); };
    const cleanup = () => {
      io.stdin.off('data', onData);
      io.stdin.off('end', onEnd);
      io.stdin.off('error', onError);
      io.stdin.pause();
    };
    io.stdin.on('data', onData);
    io.stdin.once('end', onEnd);
    io.stdin.once('error', onError);
    io.stdin.resume();
  });
}

export async function resolvePlaybook(ref: string, cwd: string): Promise<PlaybookRef> {
  if (SESSION_POLICY_TEMPLATES[ref]) return ref;
  if (ref.startsWith('arn:')) return { name: ref.split('/').pop() ?? ref, policyArns: [ref] };
  if (ROLE_TEMPLATES[ref]) {
    throw new UsageError(`'${ref}' is a role template, not a playbook; use one of ${Object.keys(SESSION_POLICY_TEMPLATES).join(', ')} or a policy file`);
  }
  try {
    const [policy] = await loadPolicySource(ref, cwd);
    return { name: path.basename(ref).replace(/\.json$/i, ''), policy: policy.document };
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\.$/, ''));
  }
}

export function requesterOf(p: Parsed, env: NodeJS.ProcessEnv): string {
  const given = (p.options.requester as string | undefined) ?? env.BREAKGLASS_REQUESTER ?? env.USER ?? env.USERNAME;
  if (given) return given;
  try {
    return os.userInfo().username;
  } catch {
    return '';
  }
}

const sq = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

export const elevateCommand: Subcommand = {
  name: 'elevate',
  summary: 'assume a break-glass role with MFA, a playbook session policy and a time box',
  usage: USAGE,
  async run(argv, io) {
    const p = parseArgs(argv, ELEVATE_OPTIONS);
    const modes = (['json', 'export', 'exec'] as const).filter((m) => p.options[m]);
    if (modes.length !== 1) throw new UsageError('choose exactly one output: --json, --export or --exec -- COMMAND');
    const mode = modes[0];
    if (mode === 'exec' && !p.rest.length) throw new UsageError('--exec needs a command after --, e.g. --exec -- aws sts get-caller-identity');
    if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
    const roleArn = requireString(p, 'role-arn');
    const playbookRef = requireString(p, 'playbook');
    const incidentId = requireString(p, 'incident');
    const justification = requireString(p, 'justification');
    let durationSeconds: number | undefined;
    if (p.options.duration !== undefined) {
      durationSeconds = Number(p.options.duration);
      if (!Number.isInteger(durationSeconds)) throw new UsageError(`--duration must be whole seconds, not '${p.options.duration}'`);
    }
    const playbook = await resolvePlaybook(playbookRef, io.cwd);

    const prompt = async (serial: string) => {
      if (!io.isTTY) throw new UsageError(`an MFA code is needed for ${serial}; pass --token-code (no terminal to prompt on)`);
      io.stderr.write(`MFA code for ${serial}: `);
      return (await readLine(io)).trim();
    };
    const base = await cliBase(p, io, prompt);
    try {
      const mfaSerial = (p.options['mfa-serial'] as string | undefined) ?? base.profile?.mfaSerial ?? io.env.BREAKGLASS_MFA_SERIAL;
      let tokenCode = p.options['token-code'] as string | undefined;
      const audit = new AuditLog((p.options['audit-log'] as string | undefined) ?? defaultAuditPath(io.env), { source: `cli/${VERSION}` });
      const inputFor = (code: string | undefined) => ({
        roleArn, playbook, incidentId, justification, requester: requesterOf(p, io.env), durationSeconds, mfaSerial, tokenCode: code,
        region: base.region, baseIsRoleSession: Boolean(p.options['role-session']) || base.isRoleSession === true,
      });
      let pending: PendingRequest | undefined;
      if (tokenCode === undefined) {
        if (!io.isTTY) throw new UsageError('--token-code is required when not running on a terminal (the MFA code cannot be prompted for)');
        if (!mfaSerial) throw new UsageError('--mfa-serial is required (or mfa_serial in the profile, or $BREAKGLASS_MFA_SERIAL)');
        // The 'requested' record does not contain the code: write it while the responder types.
        // Pre-flight before asking: nobody should type a code only to learn the incident ID was wrong.
        const pre = planElevation(inputFor('000000'));
        if (!pre.ok) {
          for (const pr of pre.problems) io.stderr.write(`breakglass elevate: ${pr.field}: ${pr.message}\n`);
          return 2;
        }
        pending = recordRequest(audit, pre.plan);
        try {
          tokenCode = await prompt(mfaSerial);
        } catch (e) {
          await pending?.abandon();
          throw e;
        }
      }

      const planned = planElevation(inputFor(tokenCode));
      if (!planned.ok) {
        await pending?.abandon();
        for (const pr of planned.problems) io.stderr.write(`breakglass elevate: ${pr.field}: ${pr.message}\n`);
        return 2;
      }
      for (const n of planned.plan.notes) io.stderr.write(`note: ${n}\n`);

      let result;
      try {
        const gate = await cliGate(p, io, base.clients, planned.plan, audit); // approvals (issue 12)
        result = await elevateAndRecord(planned.plan, { sts: base.clients.stsForMfa(), audit, requested: pending, gate });
      } catch (e) {
        if (e instanceof BreakGlassError) {
          io.stderr.write(`breakglass elevate: ${e.translated.title}: ${e.translated.message}\n`);
          return 1;
        }
        throw e;
      }
      await result.durable.catch((e: unknown) => {
        io.stderr.write(`breakglass elevate: warning: the 'granted' audit record could not be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).\n`);
      });
      const { session, credentials } = result;
      io.stderr.write(`Granted ${session.roleName} for ${session.incidentId} (playbook ${session.playbook}) until ${session.expiresAt}; session ${session.id}.\n`);

      if (mode === 'json') {
        io.stdout.write(JSON.stringify({
          Version: 1, AccessKeyId: credentials.accessKeyId, SecretAccessKey: credentials.secretAccessKey,
          SessionToken: credentials.sessionToken, Expiration: credentials.expiration,
        }) + '\n');
        return 0;
      }
      const env = terminalEnvironment(session, credentials, session.region);
      if (mode === 'export') {
        const lines = Object.entries(env).map(([k, v]) => (v === null ? `unset ${k}` : `export ${k}=${sq(v)}`));
        io.stdout.write(lines.join('\n') + '\n');
        return 0;
      }
      await audit.append({ event: 'terminal_opened', ...sessionAuditFields(session), details: { delivery: 'exec', command: path.basename(p.rest[0]) } });
      return await runChild(p.rest, applyEnvironment(io.env, env), io);
    } finally {
      base.clients.destroy();
    }
  },
};

function runChild(cmd: string[], env: NodeJS.ProcessEnv, io: CliIO): Promise<number> {
  return new Promise((resolve) => {
    const inherit = io.stdout === process.stdout;
    const child = spawn(cmd[0], cmd.slice(1), { env, stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'], cwd: io.cwd });
    if (!inherit) {
      child.stdout?.pipe(io.stdout, { end: false });
      child.stderr?.pipe(io.stderr, { end: false });
    }
    child.on('error', (e) => {
      io.stderr.write(`breakglass elevate: cannot run ${cmd[0]}: ${(e as NodeJS.ErrnoException).code ?? e.message}\n`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 1) : 1)));
  });
}
