// What the policy preview shows, assembled host-free: for a role + playbook, or for a live session, the role's policies
// (a built-in role template) and the session policy (a built-in playbook or a policy file). The editor passes how to
// read a file (its open buffer first, so the preview follows typing) and what it knows about sessions and roles.
import { loadRoleTemplate } from '../policy/sources';
import { playbookPolicyFile as parsePolicyFile } from '../playbookFormat';
import type { RoleConfig } from '../config';
import type { Session } from '../session/types';
import { SESSION_POLICY_TEMPLATES } from '../templates';
import { roleTemplateFor, templateInput, type PreviewInput } from './model';

/** The same shape as the webview protocol's PreviewTarget (src/views/preview/protocol.ts). */
export type PreviewInputTarget =
  | { kind: 'playbook'; roleName: string; roleTemplate: string; playbook: string; policyFile?: string }
  | { kind: 'session'; sessionId: string };

export interface PreviewInputPorts {
  /** A policy file's text and the name to show for it; `ref` is the target's policyFile or a session playbook's file. */
  readPolicyFile(ref: string): Promise<{ text: string; name: string }>;
  session(id: string): Session | undefined;
  /** The configured role with this ARN, if any. */
  role(arn: string): Promise<RoleConfig | undefined>;
}

/** The policies for a target: built-in templates, a custom policy file, or what a live session was granted with. */
export async function previewInputFor(target: PreviewInputTarget, ports: PreviewInputPorts): Promise<PreviewInput> {
  if (target.kind === 'playbook') {
    const notes = target.roleName === target.roleTemplate ? [] : [`The role's policies are those of the built-in role template ${target.roleTemplate}.`];
    if (!target.policyFile) return { ...templateInput(target.roleTemplate, target.playbook, target.roleName), notes };
    const role = loadRoleTemplate(target.roleTemplate);
    const { text, name } = await ports.readPolicyFile(target.policyFile);
    return { roleName: target.roleName, identity: role.identity, boundary: role.boundary, session: [parsePolicyFile(text, name)], playbookName: target.playbook, sessionPolicyText: text, notes };
  }
  const session = ports.session(target.sessionId);
  if (!session) throw new Error('This session is no longer known (it was cleared, or VS Code was restarted after it ended).');
  const roleConfig = await ports.role(session.roleArn);
  const template = roleTemplateFor({ name: roleConfig?.name ?? session.roleName, template: roleConfig?.template });
  const notes: string[] = [];
  let identity: PreviewInput['identity'];
  let boundary: PreviewInput['boundary'] = null;
  if (template) {
    ({ identity, boundary } = loadRoleTemplate(template));
    notes.push(`The role's policies are those of the built-in role template ${template}.`);
  } else {
    // Honest fallback: without the role's policies, show what the session policy allows on its own.
    identity = [{ name: '(role policies unknown: assumed to allow everything)', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }];
    notes.push(`The policies of role ${session.roleName} are not known offline: set "template" for it in .breakglass/config.json. ` +
      'Until then the role is assumed to allow everything, so the picture shows the session policy\'s own limits.');
  }
  const base = { roleName: session.roleName, identity, boundary, notes };
  const ref = session.playbookRef;
  if (ref?.kind === 'full') return { ...base, session: null, playbookName: session.playbook };
  const builtIn = SESSION_POLICY_TEMPLATES[ref?.kind === 'builtin' ? ref.name : session.playbook];
  if (builtIn) return { ...base, session: [{ name: builtIn.name, document: builtIn.policy }], playbookName: builtIn.name };
  if (ref?.kind === 'managed') throw new Error(`The session policy of this session is the managed policy ${ref.arn}, which the preview cannot read offline.`);
  // A policy file: the one recorded with the session (sessions stored by 0.1.0 kept its path as the playbook).
  const { text, name } = await ports.readPolicyFile(ref && 'file' in ref ? ref.file : session.playbook);
  return { ...base, session: [parsePolicyFile(text, name)], playbookName: session.playbook, sessionPolicyText: text };
}
