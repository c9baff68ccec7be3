// The built-in defaults: the four session-policy templates and four role templates from AWS Well-Architected
// SEC10-BP05 "Pre-provision access" (shared/seed), as data. Names are the seed's, so they can be used wherever a
// policy file or ARN is accepted (`--session containment_actions`).
import type { PolicyDocument } from './policy/types';

export interface SessionPolicyTemplate {
  name: string;
  description: string;
  /** Seconds; the longest session this playbook should be granted for. */
  maxDuration: number;
  policy: PolicyDocument;
}

export interface RoleTemplate {
  name: string;
  description: string;
  /** Seconds; the role's MaxSessionDuration. */
  maxSessionDuration: number;
  managedPolicies: string[];
  inlinePolicies: Record<string, PolicyDocument>;
  permissionsBoundary: string | null;
}

export const SESSION_POLICY_TEMPLATES: Readonly<Record<string, SessionPolicyTemplate>> = {
  read_only_investigation: {
    name: 'read_only_investigation',
    description: 'Read-only access for initial incident investigation',
    maxDuration: 14400,
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: [
            'cloudtrail:LookupEvents', 'logs:FilterLogEvents', 'logs:GetLogEvents', 'guardduty:GetFindings',
            'guardduty:ListFindings', 'detective:*', 'securityhub:GetFindings', 'config:GetComplianceDetailsByConfigRule',
            'config:GetResourceConfigHistory',
          ],
          Resource: '*',
        },
        {
          Effect: 'Allow',
          Action: [
            'ec2:Describe*', 'iam:Get*', 'iam:List*', 's3:GetBucketLocation', 's3:GetBucketLogging', 's3:GetBucketPolicy',
            's3:ListBucket',
          ],
          Resource: '*',
        },
      ],
    },
  },
  containment_actions: {
    name: 'containment_actions',
    description: 'Limited write access for incident containment',
    maxDuration: 7200,
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: [
            'ec2:StopInstances', 'ec2:TerminateInstances', 'ec2:ModifyInstanceAttribute', 'ec2:AuthorizeSecurityGroupIngress',
            'ec2:RevokeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupEgress',
            'iam:UpdateAccessKey', 'iam:DeleteAccessKey', 'iam:AttachUserPolicy', 'iam:DetachUserPolicy',
          ],
          Resource: '*',
          Condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } },
        },
        {
          Effect: 'Deny',
          Action: ['iam:CreateUser', 'iam:DeleteUser', 'iam:CreateRole', 'iam:DeleteRole', 'organizations:*'],
          Resource: '*',
        },
      ],
    },
  },
  forensics_collection: {
    name: 'forensics_collection',
    description: 'Access for forensic evidence collection',
    maxDuration: 10800,
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: [
            'ec2:CreateSnapshot', 'ec2:CopySnapshot', 'ec2:DescribeSnapshots', 'ec2:CreateImage', 'ec2:CopyImage',
            'ec2:DescribeImages', 'ssm:SendCommand', 'ssm:GetCommandInvocation', 'ssm:DescribeInstanceInformation',
          ],
          Resource: '*',
        },
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
          Resource: ['arn:aws:s3:::forensic-evidence-*', 'arn:aws:s3:::forensic-evidence-*/*'],
        },
      ],
    },
  },
  emergency_admin: {
    name: 'emergency_admin',
    description: 'Emergency administrative access for critical incidents',
    maxDuration: 3600,
    policy: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        {
          Effect: 'Deny',
          Action: ['organizations:CloseAccount', 'account:CloseAccount', 'iam:DeleteRole', 'iam:DeleteUser'],
          Resource: '*',
        },
      ],
    },
  },
};

export const ROLE_TEMPLATES: Readonly<Record<string, RoleTemplate>> = {
  security_investigator: {
    name: 'security_investigator',
    description: 'Security investigation and analysis role',
    maxSessionDuration: 14400,
    managedPolicies: ['arn:aws:iam::aws:policy/SecurityAudit', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
    inlinePolicies: {
      SecurityInvestigationPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'guardduty:*', 'detective:*', 'securityhub:*', 'cloudtrail:LookupEvents', 'logs:FilterLogEvents',
              'logs:GetLogEvents',
            ],
            Resource: '*',
          },
        ],
      },
    },
    permissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess',
  },
  incident_responder: {
    name: 'incident_responder',
    description: 'Full incident response and remediation role',
    maxSessionDuration: 28800,
    managedPolicies: ['arn:aws:iam::aws:policy/PowerUserAccess'],
    inlinePolicies: {
      IncidentResponsePolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'ec2:*', 'iam:ListUsers', 'iam:ListRoles', 'iam:GetUser', 'iam:GetRole', 'iam:UpdateAccessKey',
              'iam:DeleteAccessKey', 'iam:AttachUserPolicy', 'iam:DetachUserPolicy', 'organizations:*',
            ],
            Resource: '*',
          },
          { Effect: 'Deny', Action: ['iam:CreateUser', 'iam:DeleteUser', 'iam:CreateRole', 'iam:DeleteRole'], Resource: '*' },
        ],
      },
    },
    permissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess',
  },
  forensics_analyst: {
    name: 'forensics_analyst',
    description: 'Digital forensics and evidence collection role',
    maxSessionDuration: 14400,
    managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    inlinePolicies: {
      ForensicsPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'ec2:CreateSnapshot', 'ec2:CopySnapshot', 'ec2:DescribeSnapshots', 'ec2:CreateImage', 'ec2:CopyImage',
              's3:GetObject', 's3:PutObject', 's3:ListBucket', 'ssm:SendCommand', 'ssm:GetCommandInvocation',
            ],
            Resource: '*',
          },
        ],
      },
    },
    permissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  },
  break_glass_admin: {
    name: 'break_glass_admin',
    description: 'Emergency administrative access for critical incidents',
    maxSessionDuration: 3600,
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    inlinePolicies: {},
    permissionsBoundary: null,
  },
};

/**
 * The playbooks (session-policy templates) each built-in role template is meant for, for the readiness drill's
 * guardrail check when the config names no playbook for the role. The seed names no such pairing; this follows the
 * templates' descriptions: the responder investigates and contains, the investigator reads, the analyst collects
 * evidence, the admin is for emergencies.
 */
export const ROLE_TEMPLATE_PLAYBOOKS: Readonly<Record<string, readonly string[]>> = {
  incident_responder: ['read_only_investigation', 'containment_actions'],
  security_investigator: ['read_only_investigation'],
  forensics_analyst: ['forensics_collection'],
  break_glass_admin: ['emergency_admin'],
};
