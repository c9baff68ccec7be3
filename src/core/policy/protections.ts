// Protections AWS enforces outside policy evaluation: whatever the policies say, these requests fail. They are a
// distinct reason ("AWS-protected resource"), never a policy decision — the preview shows them as such.
//
// Each protection cites the AWS page that states it:
// - AWS managed policies (arn:<partition>:iam::aws:policy/…) cannot be changed: "You cannot change the permissions
//   defined in AWS managed policies" (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/about-managed-policy-reference.html)
//   and "AWS managed policies cannot be edited" (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_manage-edit.html).
//   The actions that change or delete a policy, its versions or tags are refused; attaching one to your own role
//   (AttachRolePolicy, whose resource is the role) is not affected.
// - IAM Identity Center's roles (path /aws-reserved/sso.amazonaws.com/, names AWSReservedSSO_…) are managed by IAM
//   Identity Center: "IAM Identity Center manages the role … As you modify the permission set, IAM Identity Center
//   ensures that the corresponding IAM policies and roles are updated accordingly"
//   (https://docs.aws.amazon.com/singlesignon/latest/userguide/identity-center-and-iam-roles.html); IAM refuses to
//   modify them with "Cannot perform the operation on the protected role … this role is only modifiable by AWS"
//   (https://repost.aws/knowledge-center/identity-center-aws-reserved-sso).
// - KMS aliases under alias/aws/ belong to AWS managed keys: "The alias name for a customer managed key cannot begin
//   with alias/aws/. The alias/aws/ prefix is reserved for AWS managed key" and "You cannot manage aliases for AWS
//   managed keys" (https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html).

export interface AwsProtection {
  /** Stable identifier: 'aws-managed-policy' | 'identity-center-role' | 'kms-aws-alias'. */
  id: 'aws-managed-policy' | 'identity-center-role' | 'kms-aws-alias';
  /** "AWS-protected resource: …", one sentence. */
  reason: string;
  /** The AWS documentation page that states the protection. */
  url: string;
}

const MANAGED_POLICY_ACTIONS = new Set(['createpolicyversion', 'deletepolicy', 'deletepolicyversion', 'setdefaultpolicyversion', 'tagpolicy', 'untagpolicy']);

const RESERVED_ROLE_ACTIONS = new Set([
  'deleterole', 'updaterole', 'updateroledescription', 'updateassumerolepolicy', 'putrolepolicy', 'deleterolepolicy',
  'attachrolepolicy', 'detachrolepolicy', 'putrolepermissionsboundary', 'deleterolepermissionsboundary', 'tagrole',
  'untagrole', 'createservicelinkedrole',
]);

const KMS_ALIAS_ACTIONS = new Set(['createalias', 'updatealias', 'deletealias']);

const MANAGED_POLICY_ARN = /^arn:aws[a-z-]*:iam::aws:policy\//;
const RESERVED_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/aws-reserved\/sso\.amazonaws\.com\//;
const AWS_ALIAS_ARN = /^arn:aws[a-z-]*:kms:[^:]*:\d{12}:alias\/aws\//;

/**
 * The AWS protection that refuses `action` on `resource` regardless of policies, or undefined. Action names are
 * case-insensitive; the resource must be the ARN the action is authorised on (for kms:CreateAlias that is the alias).
 */
export function awsProtection(action: string, resource: string): AwsProtection | undefined {
  const colon = action.indexOf(':');
  if (colon <= 0) return undefined;
  const service = action.slice(0, colon).toLowerCase();
  const name = action.slice(colon + 1).toLowerCase();
  if (service === 'iam' && MANAGED_POLICY_ACTIONS.has(name) && MANAGED_POLICY_ARN.test(resource)) {
    return {
      id: 'aws-managed-policy',
      reason: 'AWS-protected resource: AWS managed policies cannot be changed or deleted (AWS maintains them)',
      url: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/about-managed-policy-reference.html',
    };
  }
  if (service === 'iam' && RESERVED_ROLE_ACTIONS.has(name) && RESERVED_ROLE_ARN.test(resource)) {
    return {
      id: 'identity-center-role',
      reason: 'AWS-protected resource: IAM Identity Center roles (aws-reserved/sso.amazonaws.com/) are only modifiable by IAM Identity Center; change the permission set instead',
      url: 'https://docs.aws.amazon.com/singlesignon/latest/userguide/identity-center-and-iam-roles.html',
    };
  }
  if (service === 'kms' && KMS_ALIAS_ACTIONS.has(name) && AWS_ALIAS_ARN.test(resource)) {
    return {
      id: 'kms-aws-alias',
      reason: 'AWS-protected resource: aliases under alias/aws/ belong to AWS managed keys and cannot be created, updated or deleted',
      url: 'https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html',
    };
  }
  return undefined;
}
