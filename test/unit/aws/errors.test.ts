import * as assert from 'assert';
import { translateAwsError, isThrottling, BreakGlassError, type ErrorCode, terminalSafe } from '../../../src/core/aws/errors';

// Builds an error shaped like an AWS SDK v3 ServiceException.
function sdkError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, $fault: status >= 500 ? 'server' : 'client' });
}
function nodeError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

const ROLE = 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER';

describe('aws/errors translateAwsError', () => {
  const table: Array<[string, unknown, ErrorCode, boolean, RegExp]> = [
    ['wrong MFA code', sdkError('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code. ', 403), 'MfaInvalid', true, /next code/],
    ['reused MFA code', sdkError('AccessDenied', 'MultiFactorAuthentication failed, MFA one time pass code already used.', 403), 'MfaReused', true, /only once/],
    ['MFA missing (serial or code)', sdkError('AccessDenied', 'MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.', 403), 'MfaRequired', true, /6-digit code/],
    ['trust policy refuses', sdkError('AccessDenied', `User: arn:aws:iam::111122223333:user/alice is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`, 403), 'TrustRefused', false, /trust policy of role BREAK-GLASS-INCIDENT_RESPONDER/],
    ['expired base credentials', sdkError('ExpiredToken', 'The security token included in the request is expired'), 'ExpiredCredentials', true, /Sign in again/],
    ['expired (exception form)', sdkError('ExpiredTokenException', 'The security token included in the request is expired'), 'ExpiredCredentials', true, /expired/],
    ['invalid client token', sdkError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403), 'InvalidCredentials', false, /did not recognise/],
    ['signature mismatch', sdkError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', 403), 'InvalidCredentials', false, /secret wrong/],
    ['packed policy too large', sdkError('PackedPolicyTooLarge', 'Packed policy consumes 112% of allotted space, please use smaller policy.'), 'PolicyTooLarge', false, /112% .*fewer statements or wildcard/],
    ['packed tags too large', sdkError('PackedPolicyTooLarge', 'Packed size of session tags consumes 104% of allotted space.'), 'PolicyTooLarge', false, /session tags used 104%/],
    ['duration over role max', sdkError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'), 'DurationTooLong', false, /\(28800 s\).*MaxSessionDuration/],
    ['role chaining', sdkError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.'), 'RoleChainingLimit', false, /1 hour/],
    ['Throttling', sdkError('Throttling', 'Rate exceeded'), 'Throttled', true, /Wait a few seconds/],
    ['ThrottlingException', sdkError('ThrottlingException', 'Rate exceeded'), 'Throttled', true, /throttling/],
    ['RequestLimitExceeded', sdkError('RequestLimitExceeded', 'Request limit exceeded.'), 'Throttled', true, /throttling/],
    ['ECONNREFUSED', nodeError('ECONNREFUSED'), 'NetworkUnreachable', true, /ECONNREFUSED/],
    ['ENOTFOUND', nodeError('ENOTFOUND'), 'NetworkUnreachable', true, /VPN or proxy/],
    ['ETIMEDOUT', nodeError('ETIMEDOUT'), 'NetworkUnreachable', true, /ETIMEDOUT/],
    ['SDK TimeoutError', Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' }), 'NetworkUnreachable', true, /TimeoutError/],
    ['clock skew (signature expired)', sdkError('SignatureDoesNotMatch', 'Signature expired: 20160609T184512Z is now earlier than 20160610T013008Z (20160610T014508Z - 15 min.)', 403), 'ClockSkew', true, /clock/],
    ['clock skew (RequestTimeTooSkewed)', sdkError('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', 403), 'ClockSkew', true, /NTP/],
    ['region disabled', sdkError('RegionDisabledException', 'STS is not activated in this region for account:111122223333.', 403), 'RegionDisabled', false, /another region/],
    ['aborted by user', Object.assign(new Error('Request aborted'), { name: 'AbortError' }), 'Aborted', true, /cancelled/],
    ['other access denied', sdkError('AccessDenied', 'User: x is not authorized to perform: iam:PutRolePolicy on resource: role R', 403), 'AccessDenied', false, /iam:PutRolePolicy/],
    ['no credentials', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'NoCredentials', false, /profile/],
    ['no such role', sdkError('NoSuchEntity', 'The role with name X cannot be found.', 404), 'NoSuchEntity', false, /does not exist/],
  ];
  for (const [label, err, code, retryable, msg] of table) {
    it(`${label} → ${code}`, () => {
      const t = translateAwsError(err, { roleArn: ROLE, durationSeconds: 28800, tokenCodeSent: true });
      assert.strictEqual(t.code, code);
      assert.strictEqual(t.retryable, retryable);
      assert.match(t.message, msg);
      assert.ok(t.title.length > 0 && t.title.length < 40, 'short title');
      assert.ok(!/\n\s+at /.test(t.message), 'no stack trace');
      const sentences = t.message.split(/(?<=\.)\s+(?=[A-Z])/).length;
      assert.ok(sentences <= 3, `one or two sentences: ${t.message}`);
    });
  }

  it('trust refusal without a code sent suggests MFA', () => {
    const t = translateAwsError(sdkError('AccessDenied', `User: u is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`, 403), { roleArn: ROLE, tokenCodeSent: false });
    assert.strictEqual(t.code, 'MfaRequired');
  });

  it('unknown errors are redacted, single-line and never carry a stack or secret', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const e = sdkError('WeirdError', `boom SecretAccessKey=${secret}\n    at foo (x.js:1:1)`, 500);
    const t = translateAwsError(e);
    assert.strictEqual(t.code, 'Unknown');
    assert.ok(!t.message.includes(secret));
    assert.ok(!t.message.includes('at foo'));
    assert.strictEqual(t.retryable, true);
  });

  it('passes BreakGlassError translations through and detects throttling', () => {
    const tr = translateAwsError(sdkError('Throttling', 'Rate exceeded'));
    assert.strictEqual(translateAwsError(new BreakGlassError(tr)), tr);
    assert.ok(isThrottling(sdkError('ThrottlingException', 'x')));
    assert.ok(!isThrottling(sdkError('AccessDenied', 'x', 403)));
  });
});

describe('aws/errors: trust policy and terminal safety', () => {
  // AWS refuses session tags / SourceIdentity unless the trust policy allows sts:TagSession / sts:SetSourceIdentity:
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html#id_credentials_temp_control-access_monitor-perms
  const denied = (action: string) => Object.assign(new Error(`User: arn:aws:iam::111122223333:user/alice is not authorized to perform: ${action} on resource: arn:aws:iam::111122223333:role/BREAK-GLASS-X`),
    { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });

  it('a missing sts:TagSession or sts:SetSourceIdentity is one sentence naming it and the statement to add', () => {
    for (const action of ['sts:TagSession', 'sts:SetSourceIdentity']) {
      const tr = translateAwsError(denied(action), { roleArn: 'arn:aws:iam::111122223333:role/BREAK-GLASS-X', tokenCodeSent: true });
      assert.strictEqual(tr.code, 'TrustPolicyIncomplete');
      assert.match(tr.message, new RegExp(`^The trust policy of role BREAK-GLASS-X allows sts:AssumeRole but not ${action}, .*"Action": \\["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"\\]\\.$`));
      assert.strictEqual(tr.retryable, false);
    }
    assert.strictEqual(translateAwsError(denied('sts:AssumeRole'), { tokenCodeSent: true }).code, 'TrustRefused');
  });

  it('strips control characters and bidi overrides from server text', () => {
    assert.strictEqual(terminalSafe('a\u001b[2Jb\r\nc\u0007d\u202ee\u009bf'), 'a [2Jb c d e f');
    const tr = translateAwsError(Object.assign(new Error('weird \u001b]0;title\u0007 text'), { name: 'Strange\u001bCode', $metadata: { httpStatusCode: 400 } }));
    assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(tr.message + tr.title + (tr.awsCode ?? '')), JSON.stringify(tr));
  });
});
