// Shared IAM policy types. Grammar follows the IAM JSON policy reference: Statement as object or array,
// Action/NotAction and Resource/NotResource as string or array, Condition as operator → key → value(s).

export type StringOrArray = string | string[];

export interface ConditionBlock {
  [operator: string]: { [key: string]: StringOrArray | boolean | number | Array<string | boolean | number> };
}

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: StringOrArray;
  NotAction?: StringOrArray;
  Resource?: StringOrArray;
  NotResource?: StringOrArray;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: Statement | Statement[];
}

/**
 * What a policy is attached as, which decides its grammar (IAM JSON policy reference, "Policy types":
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html): identity-based policies, permissions
 * boundaries and session policies name no Principal and need a Resource; resource-based policies (bucket, key, queue
 * policies) must name a Principal; SCPs name no Principal; RCPs name `"Principal": "*"`.
 */
export type PolicyKind = 'identity' | 'resource' | 'scp' | 'rcp';

/** A policy with the name it is known by (an ARN, an inline policy name, a template name, a file path). */
export interface NamedPolicy {
  name: string;
  document: PolicyDocument;
  /** The grammar it is checked and compiled with; default 'identity'. */
  kind?: PolicyKind;
}
