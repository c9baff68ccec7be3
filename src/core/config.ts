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
  /** Two-person rule: elevation needs an approved request (see `approvals`). */
  requiresApproval?: boolean;
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
  // ---- approvals (issue 12) ----
  /** Two-person approval store and rules; absent when the workspace does not use approvals. */
  approvals?: ApprovalsConfig;
  /** Per-playbook settings, by playbook display name (built-in name or file name without .json). */
  playbooks?: Record<string, { requiresApproval?: boolean }>;
  // ---- end approvals ----
}

// ---- approvals (issue 12) ----
export interface ApprovalsConfig {
  /** DynamoDB table name (in the security account). */
  table: string;
  /** Region of the table (default: the STS region). */
  region?: string;
  /** SNS topic ARN for request/decision notifications. */
  topicArn?: string;
  /** Who may approve: principal ARN patterns (`*` and `?` wildcards) and/or IAM group names. */
  approvers: { principals: string[]; groups: string[] };
  /** Distinct approvals needed: 1 (default) or 2. */
  required: 1 | 2;
  /** How long a request (and then its approval) stays usable, in minutes. Default 60. */
  expiresInMinutes: number;
  /** Days an item stays in the table after it expires, before DynamoDB TTL deletes it. Default 90. */
  retentionDays: number;
  /** Whether "Break glass anyway" (elevating without an approval, justified and notified) is possible. Default false. */
  allowBreakGlassAnyway: boolean;
  /** A link to the request shown in notifications; `{id}` is replaced by the request id. */
  requestUrl?: string;
}
// ---- end approvals ----

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
  // ---- approvals (issue 12) ----
  if (raw.approvals !== undefined) {
    const approvals = parseApprovals(raw.approvals, problems);
    if (approvals) config.approvals = approvals;
  }
  if (raw.playbooks !== undefined) {
    if (!isObject(raw.playbooks)) {
      problems.push({ path: 'playbooks', message: '"playbooks" must be an object: { "incident_responder": { "requiresApproval": true } }.' });
    } else {
      config.playbooks = {};
      for (const [name, v] of Object.entries(raw.playbooks)) {
        if (!isObject(v) || (v.requiresApproval !== undefined && typeof v.requiresApproval !== 'boolean')) {
          problems.push({ path: `playbooks.${name}`, message: `playbooks.${name} must be { "requiresApproval": true } or false.` });
          continue;
        }
        config.playbooks[name] = typeof v.requiresApproval === 'boolean' ? { requiresApproval: v.requiresApproval } : {};
      }
    }
  }
  const needsApproval = config.accounts.some((a) => a.roles.some((r) => r.requiresApproval))
    || Object.values(config.playbooks ?? {}).some((p) => p.requiresApproval);
  if (needsApproval && !config.approvals) {
    problems.push({ path: 'approvals', message: 'Some roles or playbooks have "requiresApproval": true but there is no "approvals" block; add { "approvals": { "table": "breakglass-approvals", "approvers": { "groups": ["IncidentApprovers"] } } }. Until then their elevation is refused.' });
  }
  // ---- end approvals ----
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

// ---- approvals (issue 12) ----
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const TOPIC_ARN = /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
const GROUP_NAME = /^[\w+=,.@-]{1,128}$/;

function parseApprovals(a: unknown, problems: ConfigProblem[]): ApprovalsConfig | undefined {
  const at = 'approvals';
  if (!isObject(a)) return void problems.push({ path: at, message: '"approvals" must be an object with at least "table" and "approvers".' });
  if (typeof a.table !== 'string' || !TABLE_NAME.test(a.table)) {
    return void problems.push({ path: `${at}.table`, message: `approvals.table ${JSON.stringify(a.table)} is not a DynamoDB table name (3–255 of letters, digits, _ . -), e.g. "breakglass-approvals".` });
  }
  const out: ApprovalsConfig = {
    table: a.table, approvers: { principals: [], groups: [] }, required: 1, expiresInMinutes: 60, retentionDays: 90, allowBreakGlassAnyway: false,
  };
  if (a.region !== undefined) {
    if (typeof a.region === 'string' && REGION.test(a.region)) out.region = a.region;
    else problems.push({ path: `${at}.region`, message: `approvals.region ${JSON.stringify(a.region)} does not look like an AWS region (e.g. us-east-1).` });
  }
  if (a.topicArn !== undefined) {
    if (typeof a.topicArn === 'string' && TOPIC_ARN.test(a.topicArn)) out.topicArn = a.topicArn;
    else problems.push({ path: `${at}.topicArn`, message: `approvals.topicArn ${JSON.stringify(a.topicArn)} is not an SNS topic ARN (arn:aws:sns:us-east-1:111122223333:breakglass-approvals).` });
  }
  const approvers = a.approvers;
  if (!isObject(approvers)) {
    problems.push({ path: `${at}.approvers`, message: 'Add "approvers": { "principals": ["arn:aws:iam::111122223333:user/*"], "groups": ["IncidentApprovers"] } — without approvers no request can be approved.' });
  } else {
    const list = (v: unknown, key: string, ok: (s: string) => boolean, hint: string) => {
      if (v === undefined) return [];
      if (!Array.isArray(v)) { problems.push({ path: `${at}.approvers.${key}`, message: `approvals.approvers.${key} must be an array of strings.` }); return []; }
      return v.filter((x, k): x is string => {
        if (typeof x === 'string' && ok(x)) return true;
        problems.push({ path: `${at}.approvers.${key}[${k}]`, message: `${JSON.stringify(x)} ${hint}` });
        return false;
      });
    };
    out.approvers.principals = list(approvers.principals, 'principals', (x) => /^arn:(aws|aws-cn|aws-us-gov|\*):(iam|sts)::(\d{12}|\*):\S+$/.test(x),
      'is not a principal ARN pattern (arn:aws:iam::111122223333:user/alice, arn:aws:sts::111122223333:assumed-role/Approver/*).');
    out.approvers.groups = list(approvers.groups, 'groups', (x) => GROUP_NAME.test(x), 'is not an IAM group name.');
    if (!out.approvers.principals.length && !out.approvers.groups.length) {
      problems.push({ path: `${at}.approvers`, message: 'approvals.approvers lists nobody; name principal ARN patterns or IAM groups, or no request can ever be approved.' });
    }
  }
  if (a.required !== undefined) {
    if (a.required === 1 || a.required === 2) out.required = a.required;
    else problems.push({ path: `${at}.required`, message: `approvals.required must be 1 or 2 (distinct approvers), not ${JSON.stringify(a.required)}.` });
  }
  if (a.expiresInMinutes !== undefined) {
    const m = a.expiresInMinutes;
    if (typeof m === 'number' && Number.isInteger(m) && m >= 5 && m <= 24 * 60) out.expiresInMinutes = m;
    else problems.push({ path: `${at}.expiresInMinutes`, message: `approvals.expiresInMinutes must be whole minutes from 5 to 1440, not ${JSON.stringify(m)}.` });
  }
  if (a.retentionDays !== undefined) {
    const d = a.retentionDays;
    if (typeof d === 'number' && Number.isInteger(d) && d >= 0 && d <= 3650) out.retentionDays = d;
    else problems.push({ path: `${at}.retentionDays`, message: `approvals.retentionDays must be whole days from 0 to 3650, not ${JSON.stringify(d)}.` });
  }
  if (a.allowBreakGlassAnyway !== undefined) {
    if (typeof a.allowBreakGlassAnyway === 'boolean') out.allowBreakGlassAnyway = a.allowBreakGlassAnyway;
    else problems.push({ path: `${at}.allowBreakGlassAnyway`, message: 'approvals.allowBreakGlassAnyway must be true or false.' });
  }
  if (a.requestUrl !== undefined) {
    if (typeof a.requestUrl === 'string' && /^https:\/\/\S+$/.test(a.requestUrl)) out.requestUrl = a.requestUrl;
    else problems.push({ path: `${at}.requestUrl`, message: 'approvals.requestUrl must be an https:// URL (use {id} for the request id).' });
  }
  return out;
}
// ---- end approvals ----

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
  if (typeof r.requiresApproval === 'boolean') role.requiresApproval = r.requiresApproval; // approvals (issue 12)
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
