// `breakglass credential-process`: the `credential_process` command for ~/.aws/config. It asks the running editor's
// session agent (src/core/session/agent.ts) for a live session's credentials and prints them in the credential_process
// format; it never prompts (a credential_process cannot) and fails with ONE line on stderr when no session is live.
import { parseArgs } from '../args';
import { UsageError, type Subcommand } from '../io';
import { fetchCredentials } from '../../core/session/agent';

const USAGE = `usage: breakglass credential-process (--incident ID [--role NAME|ARN] | --session ID)

Print the credentials of a live break-glass session held by the editor (VS Code with Break Glass), as the AWS SDKs
and CLI expect from credential_process:
  {"Version":1,"AccessKeyId":…,"SecretAccessKey":…,"SessionToken":…,"Expiration":…}
Use it in ~/.aws/config ("Break Glass: Write AWS Profile" writes this for you):
  [profile breakglass-INC-2024-001]
  credential_process = breakglass credential-process --incident INC-2024-001 --role BREAK-GLASS-INCIDENT_RESPONDER

Nothing is stored: the editor is asked over a private socket each time (a directory only you can enter), and the
answer ends with the session (revoked or expired: the next call fails). Elevate in the editor first.

Exit codes: 0 credentials printed, 1 no live session (one line on stderr), 2 usage.
`;

export const credentialProcessCommand: Subcommand = {
  name: 'credential-process',
  summary: 'print a live session\'s credentials for credential_process in ~/.aws/config',
  usage: USAGE,
  async run(argv, io) {
    const p = parseArgs(argv, { incident: { type: 'string' }, role: { type: 'string' }, session: { type: 'string' } });
    if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
    const q = { incident: p.options.incident as string | undefined, role: p.options.role as string | undefined, session: p.options.session as string | undefined };
    if (!q.incident && !q.session) throw new UsageError('name the session: --incident ID (with --role when there are several) or --session ID');
    const r = await fetchCredentials(q, io.env);
    if (!r.ok) {
      io.stderr.write(`breakglass credential-process: ${r.message}\n`);
      return 1;
    }
    io.stdout.write(JSON.stringify(r.output) + '\n');
    return 0;
  },
};
