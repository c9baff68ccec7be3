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
