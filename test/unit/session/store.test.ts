import * as assert from 'assert';
import { SessionStore, type SessionChange } from '../../../src/core/session/store';
import { MemorySecretStore, type Session, type SessionCredentials } from '../../../src/core/session/types';
import { createLogger, MemorySink } from '../../../src/core/log';
import { FakeClock } from './fake-clock';

const MIN = 60_000;

function makeSession(clock: FakeClock, id: string, minutes: number): { session: Session; credentials: SessionCredentials } {
  const expiresAt = new Date(clock.now() + minutes * MIN).toISOString();
  return {
    session: {
      id, accountId: '111122223333', roleArn: 'arn:aws:iam::111122223333:role/BREAK-GLASS-X', roleName: 'BREAK-GLASS-X', playbook: 'emergency_admin',
      incidentId: 'INC-1', justification: 'j', requester: 'alice', sourceIdentity: 'alice', roleSessionName: 'INC-1-alice',
      issuedAt: new Date(clock.now()).toISOString(), expiresAt, tokenHash: '0123456789abcdef', accessKeyId: 'ASIAEXAMPLE', region: 'us-east-1', state: 'active',
    },
    credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: `secret-${id}`, sessionToken: `token-${id}`, expiration: expiresAt },
  };
}

describe('session/SessionStore expiry (fake clock)', () => {
  it('warns once at each threshold (10 and 2 min), then expires: state, secrets wiped, event', async () => {
    const clock = new FakeClock();
    const secrets = new MemorySecretStore();
    const store = new SessionStore({ clock, secrets });
    const events: SessionChange[] = [];
    store.onDidChange((e) => events.push(e));
    const { session, credentials } = makeSession(clock, 's1', 60);
    await store.add(session, credentials);
    await store.flush();
    assert.ok(secrets.data.get('breakglass.session.s1')?.includes('secret-s1'));
    assert.deepStrictEqual(events.map((e) => e.kind), ['added']);

    clock.advance(49 * MIN);
    assert.deepStrictEqual(events.map((e) => e.kind), ['added']);
    clock.advance(1 * MIN);
    assert.deepStrictEqual(events.map((e) => e.kind), ['added', 'warning']);
    assert.strictEqual(store.get('s1')?.state, 'expiring');
    const w1 = events[1];
    assert.ok(w1.kind === 'warning' && w1.thresholdMs === 10 * MIN);
    store.tick();
    clock.advance(7 * MIN);
    assert.deepStrictEqual(events.map((e) => e.kind), ['added', 'warning'], 'no duplicate warning');
    clock.advance(1 * MIN);
    assert.deepStrictEqual(events.map((e) => e.kind), ['added', 'warning', 'warning']);
    const w2 = events[2];
    assert.ok(w2.kind === 'warning' && w2.thresholdMs === 2 * MIN);
    assert.ok(store.credentials('s1'));

    clock.advance(2 * MIN);
    assert.deepStrictEqual(events.map((e) => e.kind), ['added', 'warning', 'warning', 'expired']);
    assert.strictEqual(store.get('s1')?.state, 'expired');
    assert.strictEqual(store.credentials('s1'), undefined);
    await store.flush();
    assert.strictEqual(secrets.data.get('breakglass.session.s1'), undefined);
    assert.strictEqual(secrets.data.get('breakglass.sessions'), '[]');
    assert.strictEqual(clock.pending, 0);
    clock.advance(60 * MIN);
    assert.strictEqual(events.length, 4);
  });

  it('a short session crossing both thresholds at once warns once; configurable thresholds', async () => {
    const clock = new FakeClock();
    const store = new SessionStore({ clock, warnBeforeMs: [5 * MIN] });
    const events: SessionChange[] = [];
    store.onDidChange((e) => events.push(e));
    const { session, credentials } = makeSession(clock, 's2', 3);
    await store.add(session, credentials);
    assert.deepStrictEqual(events.map((e) => e.kind), ['added', 'warning']);
    clock.advance(3 * MIN);
    assert.deepStrictEqual(events.map((e) => e.kind), ['added', 'warning', 'expired']);
  });

  it('local revocation wipes secrets and stops timers', async () => {
    const clock = new FakeClock();
    const secrets = new MemorySecretStore();
    const store = new SessionStore({ clock, secrets });
    const { session, credentials } = makeSession(clock, 's3', 60);
    await store.add(session, credentials);
    const events: string[] = [];
    store.onDidChange((e) => events.push(e.kind));
    const s = await store.markRevoked('s3');
    assert.strictEqual(s?.state, 'revoked');
    assert.strictEqual(store.credentials('s3'), undefined);
    await store.flush();
    assert.strictEqual(secrets.data.get('breakglass.session.s3'), undefined);
    assert.strictEqual(clock.pending, 0);
    clock.advance(120 * MIN);
    assert.deepStrictEqual(events, ['revoked']);
  });
});

describe('session/SessionStore persistence', () => {
  it('restores live sessions after a reload, purges expired ones, drops corrupted entries with a log line', async () => {
    const clock = new FakeClock();
    const secrets = new MemorySecretStore();
    const first = new SessionStore({ clock, secrets });
    const live = makeSession(clock, 'live', 60);
    const soon = makeSession(clock, 'soon', 5);
    await first.add(live.session, live.credentials);
    await first.add(soon.session, soon.credentials);
    await first.flush();
    first.dispose(); // window reload: timers gone, secrets kept

    // Corrupt one entry and add a dangling id.
    await secrets.store('breakglass.session.bad', '{not json');
    const idx = JSON.parse((await secrets.get('breakglass.sessions')) ?? '[]') as string[];
    await secrets.store('breakglass.sessions', JSON.stringify([...idx, 'bad']));

    clock.advance(10 * MIN); // 'soon' expired while the window was closed
    const sink = new MemorySink();
    const second = new SessionStore({ clock, secrets, log: createLogger(sink) });
    const events: string[] = [];
    second.onDidChange((e) => events.push(`${e.kind}:${e.session.id}`));
    const r = await second.restore();
    assert.deepStrictEqual(r.restored.map((s) => s.id), ['live']);
    assert.strictEqual(r.purged, 1);
    assert.strictEqual(r.dropped, 1);
    assert.match(sink.lines.join('\n'), /dropped a corrupted stored session/);
    assert.deepStrictEqual(events, ['restored:live']);
    assert.strictEqual(second.credentials('live')?.secretAccessKey, 'secret-live');
    assert.strictEqual(await secrets.get('breakglass.session.soon'), undefined);
    assert.strictEqual(await secrets.get('breakglass.session.bad'), undefined);
    assert.deepStrictEqual(JSON.parse((await secrets.get('breakglass.sessions')) ?? ''), ['live']);
    // The restored session keeps its schedule.
    clock.advance(40 * MIN);
    assert.deepStrictEqual(events, ['restored:live', 'warning:live']);
    clock.advance(10 * MIN);
    assert.ok(events.includes('expired:live'));
    second.dispose();
  });

  it('an unreadable index is reset, not fatal', async () => {
    const secrets = new MemorySecretStore();
    await secrets.store('breakglass.sessions', 'garbage');
    const store = new SessionStore({ secrets, clock: new FakeClock() });
    const r = await store.restore();
    assert.deepStrictEqual(r, { restored: [], purged: 0, dropped: 0 });
  });
});
