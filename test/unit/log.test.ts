import * as assert from 'assert';
import { createLogger, MemorySink, redact } from '../../src/core/log';

describe('logger redaction', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const token = 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6aGVsbG8gd29ybGQ=';

  it('masks secret keys, session tokens and key=value secrets', () => {
    const sink = new MemorySink();
    const log = createLogger(sink);
    log.info(`got ${secret} and ${token}`);
    log.warn('{"SecretAccessKey":"abc","SessionToken":"def","AccessKeyId":"ASIAEXAMPLE"}');
    log.error('TokenCode=123456 failed');
    const all = sink.lines.join('\n');
    assert.ok(!all.includes(secret));
    assert.ok(!all.includes(token.slice(0, 30)));
    assert.ok(!all.includes('"abc"') && !all.includes('"def"'));
    assert.ok(!all.includes('123456'));
    assert.ok(all.includes('ASIAEXAMPLE'), 'access key ids are not secret and stay readable');
  });

  it('leaves ordinary lines alone', () => {
    const line = 'AssumeRole arn:aws:iam::111122223333:role/BREAK-GLASS-IR for INC-2024-001 (3600 s)';
    assert.strictEqual(redact(line), line);
  });
});

describe('logger redaction: every token shape, and free text left alone', () => {
  // Session-token prefixes as issued over the years (and by moto/LocalStack, which still issue FQoGZXIvYXdzEBYaD…);
  // the bodies are random base64 like the real ones.
  const body = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) % 256)).toString('base64');
  const shapes = {
    'IQoJb3JpZ2lu (current)': `IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6${body}`,
    'AgoJb3JpZ2lu': `AgoJb3JpZ2luEJr${body}`,
    'FwoGZXIvYXdzE (regional)': `FwoGZXIvYXdzEBYaDNN${body}`,
    'FQoGZXIvYXdzE (older global, moto/LocalStack)': `FQoGZXIvYXdzEBYaDkiOiJ${body}`,
    'FQoDYXdzE (2015)': `FQoDYXdzEJr${body}`,
    'AQoDYXdzE (2013)': `AQoDYXdzEJr${body}`,
    'an unknown prefix': `ZZZZunknownPrefix9${body}`,
  };
  for (const [name, token] of Object.entries(shapes)) {
    it(`masks a session token: ${name}`, () => {
      const out = redact(`export AWS_X=${token} done`);
      assert.ok(!out.includes(token.slice(0, 40)) && !out.includes(body.slice(50, 90)), out);
      assert.match(out, /done$/);
    });
  }

  it('keeps justifications readable: authorization=CAB-1234 and friends', () => {
    for (const j of ['authorization=CAB-1234', 'Authorization: CHG-0042 approved by on-call lead', 'change authorization CAB-1234, token rotation pending', 'MFA device lost; ticket SEC-123456-A']) {
      assert.strictEqual(redact(j), j);
    }
    const line = JSON.stringify({ event: 'requested', justification: 'authorization=CAB-1234', tokenHash: 'a1b2c3d4e5f60718', prev: 'f'.repeat(64) });
    assert.strictEqual(redact(line), line);
  });

  it('masks bearer tokens, SigV4 signatures, security-token query parameters and MFA codes named as such', () => {
    const bearer = 'Bearer ' + Buffer.alloc(32, 7).toString('base64url');
    assert.strictEqual(redact(`authorization: ${bearer}`), 'authorization: Bearer ***');
    const sig = 'AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=' + 'ab12'.repeat(16);
    assert.ok(!redact(sig).includes('ab12ab12'));
    assert.ok(redact(sig).includes('ASIAEXAMPLE'));
    assert.strictEqual(redact('https://x/?X-Amz-Security-Token=abcDEF123&X-Amz-Date=1'), 'https://x/?X-Amz-Security-Token=***&X-Amz-Date=1');
    assert.strictEqual(redact('AWS_CONTAINER_AUTHORIZATION_TOKEN=s3cr3t'), 'AWS_CONTAINER_AUTHORIZATION_TOKEN=***');
    for (const l of ['--token-code 123456', 'MFA code 123456', 'otp: 123456', '"TokenCode":"123456"']) assert.ok(!redact(l).includes('123456'), l);
  });
});
