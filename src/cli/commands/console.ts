// `breakglass console --session ID [--print]`: the AWS console for a live session held by the editor. By default the
// editor opens it (the sign-in URL never leaves the editor); --print does the federation here and prints the URL —
// a credential — on stdout, for a browser in another profile or machine.
import { parseArgs } from '../args';
import { UsageError, type Subcommand } from '../io';
import { BreakGlassError } from '../../core/aws/errors';
import { askAgents, fetchCredentials, type AgentSessionInfo } from '../../core/session/agent';
import { consoleSignIn, consoleWarning, SIGNIN_ENDPOINT_ENV } from '../../core/session/console';

const USAGE = `usage: breakglass console (--session ID | --incident ID [--role NAME|ARN]) [--destination PATH|URL] [--print]

Open the AWS Management Console signed in as a live break-glass session held by the editor (federation sign-in).
The console lands on the playbook's service (e.g. CloudTrail for read_only_investigation) unless --destination
names another (a path such as s3/home, or a console URL of the session's partition).

  --print    print the sign-in URL on stdout instead of asking the editor to open it. The URL IS A CREDENTIAL: anyone
             who opens it within 15 minutes gets the session's console access until the console session ends.

A console session outlives revoking or wiping the session locally; only revocation on AWS (Revoke Session → also on
AWS, or breakglass revoke) ends it early.

Exit codes: 0 opened/printed, 1 no live session or AWS refused, 2 usage.
`;

export const consoleCommand: Subcommand = {
  name: 'console',
  summary: 'open the AWS console for a live session (federation sign-in)',
  usage: USAGE,
  async run(argv, io) {
    const p = parseArgs(argv, { session: { type: 'string' }, incident: { type: 'string' }, role: { type: 'string' }, destination: { type: 'string' }, print: { type: 'boolean' } });
    if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
    const q = { session: p.options.session as string | undefined, incident: p.options.incident as string | undefined, role: p.options.role as string | undefined };
    if (!q.session && !q.incident) throw new UsageError('name the session: --session ID or --incident ID');
    const destination = p.options.destination as string | undefined;
    const qs = new URLSearchParams(Object.entries({ ...q, destination }).filter(([, v]) => v) as Array<[string, string]>).toString();
    if (!p.options.print) {
      const answers = await askAgents<{ opened?: boolean }>('POST', `/v1/console?${qs}`, io.env);
      const ok = answers.find((a) => a.status === 200);
      if (ok) {
        io.stderr.write('The editor opened the console. It stays signed in until the console session ends, even if the session is revoked locally.\n');
        return 0;
      }
      io.stderr.write(`breakglass console: ${answers.length ? (answers.find((a) => a.status !== 404) ?? answers[0]).body.message : 'no editor with Break Glass is running (start VS Code and elevate, or use --print from a shell that can reach it)'}\n`);
      return 1;
    }
    const creds = await fetchCredentials(q, io.env);
    if (!creds.ok) {
      io.stderr.write(`breakglass console: ${creds.message}\n`);
      return 1;
    }
    const list = (await askAgents<{ sessions: AgentSessionInfo[] }>('GET', '/v1/sessions', io.env)).flatMap((a) => a.body.sessions ?? []);
    const info = list.find((s) => (q.session ? s.id === q.session : s.incidentId === q.incident && (!q.role || s.roleArn === q.role || s.roleName === q.role)));
    if (!info) {
      io.stderr.write('breakglass console: the session ended while signing in; elevate again\n');
      return 1;
    }
    try {
      const link = await consoleSignIn({
        session: { ...info, state: 'active' }, credentials: { accessKeyId: creds.output.AccessKeyId, secretAccessKey: creds.output.SecretAccessKey, sessionToken: creds.output.SessionToken, expiration: creds.output.Expiration },
        kind: info.chained ? 'chained' : 'auto', destination, signinEndpoint: io.env[SIGNIN_ENDPOINT_ENV], issuer: 'Break Glass CLI',
      });
      io.stderr.write(`${consoleWarning(info)}\n`);
      for (const n of link.notes) io.stderr.write(`note: ${n}\n`);
      io.stdout.write(`${link.url}\n`);
      return 0;
    } catch (e) {
      if (e instanceof BreakGlassError) {
        io.stderr.write(`breakglass console: ${e.translated.title}: ${e.translated.message}\n`);
        return 1;
      }
      throw e;
    }
  },
};
