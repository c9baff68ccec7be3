// The workspace configuration `.breakglass/config.json`: which accounts and incident-response roles a responder may
// use. Parsing never throws: it returns what is usable plus one actionable problem per thing that is wrong.

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

export interface RoleConfig {
  /** Role name, e.g. BREAK-GLASS-INCIDENT_RESPONDER. */
  name: string;
  /** Full ARN; derived from account, partition and name when omitted. */
  arn: string;
  description?: string;
  /** One of the built-in role templates, when the role was provisioned from it. */
  template?: string;
  /** Seconds; AWS's MaxSessionDuration for the role when known. */
  maxSessionDuration?: number;
  /** Whether the role's trust policy requires MFA, when known. */
  mfaRequired?: boolean;
  permissionsBoundary?: string;
  tags?: Record<string, string>;
  /** The playbook a provisioned role is dedicated to (BREAK-GLASS-<TYPE>-<PLAYBOOK>). */
  playbook?: string;
  /** IAM path, e.g. /incident-response/ (part of the derived ARN). */
  path?: string;
}

/** A break-glass IAM user to provision in the security account (`<responder>-BREAK-GLASS`). */
export interface BreakGlassUserConfig {
  responder: string;
  email?: string;
  emergencyContact?: string;
}

/** How `provision` and `check` reach and shape the access (`provisioning` in config.json). */
export interface ProvisioningConfig {
  /** The account holding the break-glass users, trusted by every incident-response role. */
  securityAccountId: string;
  /** Principal ARN patterns the roles trust (default: the security account's /incident-response/*-BREAK-GLASS users). */
  trustedPrincipalArns: string[];
  /** Upper bound (exclusive) on aws:MultiFactorAuthAge in trust policies, seconds. Default 3600. */
  mfaMaxAgeSeconds: number;
  /** A role assumed in each account to provision and check it; the current credentials when absent. */
  provisioningRoleName?: string;
  users: BreakGlassUserConfig[];
}

export interface AccountConfig {
  id: string;
  name: string;
  partition: Partition;
  regions: string[];
  roles: RoleConfig[];
}

export interface WorkspaceConfig {
  version: 1;
  accounts: AccountConfig[];
  provisioning?: ProvisioningConfig;
}

export interface ConfigProblem {
  /** JSON path such as `accounts[0].roles[1].name`. */
  path: string;
  message: string;
}

export const CONFIG_RELATIVE_PATH = '.breakglass/config.json';

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const PARTITIONS: Partition[] = ['aws', 'aws-cn', 'aws-us-gov'];

export function roleArn(partition: Partition, accountId: string, roleName: string, path = '/'): string {
  return `arn:${partition}:iam::${accountId}:role${path}${roleName}`;
}

export function parseWorkspaceConfig(text: string): { config: WorkspaceConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const config: WorkspaceConfig = { version: 1, accounts: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    problems.push({ path: '', message: `${CONFIG_RELATIVE_PATH} is not valid JSON (${(e as Error).message}). Fix the syntax and save.` });
    return { config, problems };
  }
  if (!isObject(raw)) {
    problems.push({ path: '', message: `${CONFIG_RELATIVE_PATH} must hold a JSON object with an "accounts" array.` });
    return { config, problems };
  }
  if (raw.version !== undefined && raw.version !== 1) {
    problems.push({ path: 'version', message: `Unsupported config version ${JSON.stringify(raw.version)}; this extension reads version 1.` });
  }
  if (!Array.isArray(raw.accounts)) {
    problems.push({ path: 'accounts', message: 'Add an "accounts" array: [{ "id": "111122223333", "name": "Production", "roles": [...] }].' });
    return { config, problems };
  }
  raw.accounts.forEach((a: unknown, i: number) => {
    const at = `accounts[${i}]`;
    if (!isObject(a)) return void problems.push({ path: at, message: 'Each account must be an object.' });
    const id = typeof a.id === 'number' ? String(a.id).padStart(12, '0') : a.id;
    if (typeof id !== 'string' || !ACCOUNT_ID.test(id)) {
      return void problems.push({ path: `${at}.id`, message: `Account id ${JSON.stringify(a.id)} is not a 12-digit AWS account id; write it as a string, e.g. "111122223333".` });
    }
    const partition = (a.partition ?? 'aws') as Partition;
    if (!PARTITIONS.includes(partition)) {
      problems.push({ path: `${at}.partition`, message: `Unknown partition ${JSON.stringify(a.partition)}; use one of ${PARTITIONS.join(', ')}.` });
    }
    const regions = Array.isArray(a.regions) ? a.regions.filter((r): r is string => typeof r === 'string') : [];
    regions.filter((r) => !REGION.test(r)).forEach((r) =>
      problems.push({ path: `${at}.regions`, message: `"${r}" does not look like an AWS region (e.g. us-east-1).` }));
    const account: AccountConfig = {
      id,
      name: typeof a.name === 'string' && a.name.trim() ? a.name.trim() : id,
      partition: PARTITIONS.includes(partition) ? partition : 'aws',
      regions: regions.filter((r) => REGION.test(r)),
      roles: [],
    };
    const roles = Array.isArray(a.roles) ? a.roles : [];
    if (a.roles !== undefined && !Array.isArray(a.roles)) problems.push({ path: `${at}.roles`, message: '"roles" must be an array.' });
    roles.forEach((r: unknown, j: number) => {
      const rat = `${at}.roles[${j}]`;
      const role = parseRole(r, account, rat, problems);
      if (role) account.roles.push(role);
    });
    if (config.accounts.some((x) => x.id === id)) {
      problems.push({ path: `${at}.id`, message: `Account ${id} is listed twice; merge the two entries.` });
    } else {
      config.accounts.push(account);
    }
  });
  if (raw.provisioning !== undefined) {
    const prov = parseProvisioning(raw.provisioning, problems);
    if (prov) config.provisioning = prov;
  }
  return { config, problems };
}

const RESPONDER = /^[\w+=,.@-]{1,52}$/;

function parseProvisioning(v: unknown, problems: ConfigProblem[]): ProvisioningConfig | undefined {
  const at = 'provisioning';
  if (!isObject(v)) return void problems.push({ path: at, message: '"provisioning" must be an object: { "securityAccountId": "999988887777", "users": [...] }.' });
  const id = typeof v.securityAccountId === 'number' ? String(v.securityAccountId).padStart(12, '0') : v.securityAccountId;
  if (typeof id !== 'string' || !ACCOUNT_ID.test(id)) {
    return void problems.push({ path: `${at}.securityAccountId`, message: `Security account id ${JSON.stringify(v.securityAccountId)} is not a 12-digit AWS account id; write it as a string, e.g. "999988887777".` });
  }
  const partition = (typeof v.partition === 'string' && PARTITIONS.includes(v.partition as Partition) ? v.partition : 'aws') as Partition;
  let trusted = [`arn:${partition}:iam::${id}:user/incident-response/*-BREAK-GLASS`];
  if (v.trustedPrincipalArns !== undefined) {
    const list = Array.isArray(v.trustedPrincipalArns) ? v.trustedPrincipalArns : [];
    const bad = list.filter((a) => typeof a !== 'string' || !new RegExp(`^arn:[\\w-]+:iam::${id}:(user|role)/`).test(a));
    if (!Array.isArray(v.trustedPrincipalArns) || !list.length || bad.length) {
      problems.push({ path: `${at}.trustedPrincipalArns`, message: `trustedPrincipalArns must be a non-empty list of user or role ARNs (wildcards allowed) in the security account ${id}, e.g. "arn:aws:iam::${id}:user/incident-response/*-BREAK-GLASS"${bad.length ? `; not ${JSON.stringify(bad[0])}` : ''}.` });
    } else trusted = list as string[];
  }
  let mfaMaxAgeSeconds = 3600;
  if (v.mfaMaxAgeSeconds !== undefined) {
    const n = Number(v.mfaMaxAgeSeconds);
    if (!Number.isInteger(n) || n < 60 || n > 43200) {
      problems.push({ path: `${at}.mfaMaxAgeSeconds`, message: `mfaMaxAgeSeconds must be whole seconds from 60 to 43200, not ${JSON.stringify(v.mfaMaxAgeSeconds)}.` });
    } else mfaMaxAgeSeconds = n;
  }
  let provisioningRoleName: string | undefined;
  if (v.provisioningRoleName !== undefined) {
    if (typeof v.provisioningRoleName !== 'string' || !/^[\w+=,.@/-]{1,512}$/.test(v.provisioningRoleName)) {
      problems.push({ path: `${at}.provisioningRoleName`, message: `provisioningRoleName must be an IAM role name (optionally with a path), e.g. "OrganizationAccountAccessRole".` });
    } else provisioningRoleName = v.provisioningRoleName;
  }
  const users: BreakGlassUserConfig[] = [];
  if (v.users !== undefined && !Array.isArray(v.users)) problems.push({ path: `${at}.users`, message: '"users" must be an array of { "responder": "alice", "email": "...", "emergencyContact": "..." }.' });
  (Array.isArray(v.users) ? v.users : []).forEach((u: unknown, i: number) => {
    const uat = `${at}.users[${i}]`;
    if (!isObject(u) || typeof u.responder !== 'string' || !RESPONDER.test(u.responder.toLowerCase().replace(/ /g, '.'))) {
      return void problems.push({ path: uat, message: 'Each user needs a "responder" name of letters, digits and +=,.@_- (at most 52, so "<responder>-BREAK-GLASS" fits IAM\'s 64).' });
    }
    const user: BreakGlassUserConfig = { responder: u.responder };
    if (typeof u.email === 'string') user.email = u.email;
    if (typeof u.emergencyContact === 'string') user.emergencyContact = u.emergencyContact;
    if (users.some((x) => x.responder.toLowerCase() === user.responder.toLowerCase())) {
      problems.push({ path: `${uat}.responder`, message: `Responder ${user.responder} is listed twice.` });
    } else users.push(user);
  });
  return { securityAccountId: id, trustedPrincipalArns: trusted, mfaMaxAgeSeconds, provisioningRoleName, users };
}

function parseRole(r: unknown, account: AccountConfig, at: string, problems: ConfigProblem[]): RoleConfig | undefined {
  if (typeof r === 'string') r = r.startsWith('arn:') ? { arn: r } : { name: r };
  if (!isObject(r)) return void problems.push({ path: at, message: 'Each role must be a role name, a role ARN or an object.' });
  let name = typeof r.name === 'string' ? r.name : undefined;
  let arn = typeof r.arn === 'string' ? r.arn : undefined;
  if (arn) {
    const m = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]{1,64})$/.exec(arn);
    if (!m) return void problems.push({ path: `${at}.arn`, message: `"${arn}" is not an IAM role ARN (arn:aws:iam::111122223333:role/NAME).` });
    if (m[2] !== account.id) {
      return void problems.push({ path: `${at}.arn`, message: `Role ARN ${arn} belongs to account ${m[2]}, but it is listed under account ${account.id}.` });
    }
    name = name ?? m[3];
  }
  if (!name || !ROLE_NAME.test(name)) {
    return void problems.push({ path: `${at}.name`, message: `Role name ${JSON.stringify(r.name)} is not a valid IAM role name (1–64 of letters, digits and +=,.@_-).` });
  }
  let rolePath: string | undefined;
  if (r.path !== undefined) {
    if (typeof r.path !== 'string' || !/^\/([\w+=,.@-]+\/)*$/.test(r.path)) {
      problems.push({ path: `${at}.path`, message: `IAM path ${JSON.stringify(r.path)} must start and end with "/", e.g. "/incident-response/".` });
    } else rolePath = r.path;
  }
  arn = arn ?? roleArn(account.partition, account.id, name, rolePath);
  const role: RoleConfig = { name, arn };
  if (rolePath) role.path = rolePath;
  if (typeof r.playbook === 'string') role.playbook = r.playbook;
  if (typeof r.description === 'string') role.description = r.description;
  if (typeof r.template === 'string') role.template = r.template;
  if (r.maxSessionDuration !== undefined) {
    const d = Number(r.maxSessionDuration);
    if (!Number.isInteger(d) || d < 3600 || d > 43200) {
      problems.push({ path: `${at}.maxSessionDuration`, message: `maxSessionDuration must be whole seconds from 3600 to 43200 (AWS's range), not ${JSON.stringify(r.maxSessionDuration)}.` });
    } else role.maxSessionDuration = d;
  }
  if (typeof r.mfaRequired === 'boolean') role.mfaRequired = r.mfaRequired;
  if (typeof r.permissionsBoundary === 'string') role.permissionsBoundary = r.permissionsBoundary;
  if (isObject(r.tags)) {
    role.tags = Object.fromEntries(Object.entries(r.tags).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  }
  return role;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The starting point written by "Break Glass: Create Workspace Configuration". */
export function configTemplate(): string {
  return JSON.stringify(
    {
      version: 1,
      accounts: [
        {
          id: '111122223333',
          name: 'Production',
          partition: 'aws',
          regions: ['us-east-1', 'us-west-2'],
          roles: [
            { name: 'BREAK-GLASS-INCIDENT_RESPONDER', template: 'incident_responder', maxSessionDuration: 28800, mfaRequired: true },
            { name: 'BREAK-GLASS-SECURITY_INVESTIGATOR', template: 'security_investigator', maxSessionDuration: 14400, mfaRequired: true },
          ],
        },
      ],
    },
    null,
    2,
  ) + '\n';
}
