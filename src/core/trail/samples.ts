// CloudTrail records as AWS documents them, for the readiness drill ("does the alert pattern match a real event?")
// and for tests:
// - ConsoleLogin: "IAM user, successful sign-in without MFA" (user Anaya) on
//   https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
//   (the page truncates nothing we use; only the eventID's last characters are ours).
// - AssumeRole: the AWS STS example ("JohnRole2", session "Role2WithTags") of "Example AWS STS API events in CloudTrail
//   log" on https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html — its field layout
//   (eventSource, eventName, requestParameters.roleArn/roleSessionName, responseElements.credentials.accessKeyId) is
//   what the patterns and the correlation read.
// Both are wrapped in the envelope EventBridge uses for CloudTrail events (detail-type "AWS API Call via CloudTrail" /
// "AWS Console Sign In via CloudTrail", source "aws.<service>", detail = the CloudTrail record):
//   https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html
// Only the role and user NAMES are changed to break-glass names in the breakGlass* variants; the documented originals
// (JohnRole2, Anaya) are kept as events that must NOT alert.
export const DOC_ASSUME_ROLE_RECORD = {
  eventVersion: '1.05',
  userIdentity: { type: 'AWSAccount', principalId: 'AIDAQRSTUVWXYZEXAMPLE', accountId: '111111111111' },
  eventTime: '2014-07-18T15:07:39Z',
  eventSource: 'sts.amazonaws.com',
  eventName: 'AssumeRole',
  awsRegion: 'us-east-2',
  sourceIPAddress: '192.0.2.101',
  userAgent: 'aws-cli/1.11.10 Python/2.7.8 Linux/3.2.45-0.6.wd.865.49.315.metal1.x86_64 botocore/1.4.67',
  requestParameters: {
    roleArn: 'arn:aws:iam::111122223333:role/JohnRole2',
    roleSessionName: 'Role2WithTags',
    tags: [{ key: 'Department', value: 'Engineering' }, { key: 'CostCenter', value: '12345' }, { key: 'Name', value: 'Tag2' }],
    transitiveTagKeys: ['Department'],
    durationSeconds: 3600,
  },
  responseElements: {
    credentials: { accessKeyId: 'ASIAWHOJDLGPOEXAMPLE', expiration: 'Jul 18, 2014 4:07:39 PM', sessionToken: '<encoded session token blob>' },
    assumedRoleUser: { assumedRoleId: 'AROAIFR7WHDTSOYQYHFUE:Role2WithTags', arn: 'arn:aws:sts::111111111111:assumed-role/test-role/Role2WithTags' },
    packedPolicySize: 3,
  },
  requestID: 'b96b0e4e-1d19-11e4-8b49-7bc5cdbd3f9d',
  eventID: '1917948f-3042-46ec-98e2-62865afb2ef5',
  eventType: 'AwsApiCall',
  recipientAccountId: '111111111111',
} as const;

export const DOC_CONSOLE_LOGIN_RECORD = {
  eventVersion: '1.08',
  userIdentity: { type: 'IAMUser', principalId: 'EXAMPLE6E4XEGITWATV6R', arn: 'arn:aws:iam::999999999999:user/Anaya', accountId: '999999999999', userName: 'Anaya' },
  eventTime: '2023-07-19T21:44:40Z',
  eventSource: 'signin.amazonaws.com',
  eventName: 'ConsoleLogin',
  awsRegion: 'us-east-1',
  sourceIPAddress: '192.0.2.0',
  userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:102.0) Gecko/20100101 Firefox/102.0',
  requestParameters: null,
  responseElements: { ConsoleLogin: 'Success' },
  additionalEventData: { LoginTo: 'https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_examplee9aba7f8', MobileVersion: 'No', MFAUsed: 'No' },
  eventID: 'e1bf1000-86a4-4a78-81d7-EXAMPLE83e2a',
  eventType: 'AwsConsoleSignIn',
  recipientAccountId: '999999999999',
} as const;

type Rec = Record<string, unknown>;

/** The EventBridge envelope of a CloudTrail record. */
export function eventBridgeEnvelope(record: Rec): Rec {
  const signin = record.eventSource === 'signin.amazonaws.com';
  return {
    version: '0', id: '6f87d04b-9f74-4f04-a780-7acf4b0a9b38',
    'detail-type': signin ? 'AWS Console Sign In via CloudTrail' : 'AWS API Call via CloudTrail',
    source: `aws.${String(record.eventSource).split('.')[0]}`,
    account: (record.recipientAccountId ?? (record.userIdentity as Rec).accountId) as string,
    time: record.eventTime, region: record.awsRegion, resources: [], detail: record,
  };
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

export function breakGlassAssumeRoleRecord(roleArn = 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER'): Rec {
  const r = clone(DOC_ASSUME_ROLE_RECORD) as unknown as Rec;
  (r.requestParameters as Rec).roleArn = roleArn;
  return r;
}

export function breakGlassConsoleLoginRecord(userName = 'Anaya-BREAK-GLASS'): Rec {
  const r = clone(DOC_CONSOLE_LOGIN_RECORD) as unknown as Rec;
  const u = r.userIdentity as Rec;
  u.userName = userName;
  u.arn = `arn:aws:iam::999999999999:user/${userName}`;
  return r;
}
