// A local fake of the audit-trail services, for unit tests: one HTTP server on 127.0.0.1 (random port) speaking
//   CloudWatch Logs (awsJson1_1, X-Amz-Target Logs_20140328.*): CreateLogGroup, CreateLogStream, PutLogEvents,
//     FilterLogEvents, PutMetricFilter, DescribeMetricFilters
//   CloudTrail (awsJson1_1, [com.amazonaws.cloudtrail.v20131101.]CloudTrail_20131101.*): LookupEvents — 50 per page
//     at most, one lookup attribute, and ThrottlingException past 2 requests per second (sliding 1 s window), as
//     documented: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
//   EventBridge (awsJson1_1, AWSEvents.*): PutRule, DescribeRule, PutTargets, ListTargetsByRule
//   SNS (awsQuery, XML, Action=…): CreateTopic, Subscribe, ListSubscriptionsByTopic, GetTopicAttributes, SetTopicAttributes
// Errors as AWS sends them: JSON `{"__type": …, "message": …}` with the x-amzn-ErrorType header and status 400 for the
// JSON services; `<ErrorResponse><Error><Type/><Code/><Message/>` for SNS. `outage` makes every request fail (503 or
// a reset connection) until switched off — the shipping queue must survive it. Signatures are not verified.
import * as http from 'http';
import { randomUUID } from 'crypto';
import type { AddressInfo } from 'net';

export interface FakeLogEvent { timestamp: number; message: string; ingestionTime: number; eventId: string; logStreamName: string }

export interface FakeCloudTrailEvent {
  EventId: string; EventName: string; EventTime: number; EventSource: string; Username?: string; AccessKeyId?: string;
  ReadOnly?: string; Resources?: Array<{ ResourceType?: string; ResourceName?: string }>; CloudTrailEvent: string;
}

export interface FakeTrail {
  url: string;
  requests: Array<{ service: string; action: string; time: number; body: Record<string, unknown> }>;
  groups: Map<string, { streams: Map<string, FakeLogEvent[]>; metricFilters: Array<Record<string, unknown>> }>;
  cloudTrailEvents: FakeCloudTrailEvent[];
  rules: Map<string, { Name: string; Arn: string; EventPattern?: string; State: string; Description?: string; targets: Array<{ Id: string; Arn: string }> }>;
  topics: Map<string, { attributes: Record<string, string>; subscriptions: Array<{ arn: string; protocol: string; endpoint: string; confirmed: boolean }> }>;
  /** 'none' (default), 503 (ServiceUnavailable), or 'reset' (connection destroyed without a response). */
  outage: 'none' | 503 | 'reset';
  /** Simulates a responder clicking the confirmation link. */
  confirm(topicArn: string, endpoint: string): void;
  calls(action: string): FakeTrail['requests'];
  close(): Promise<void>;
}

const SNS_NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export async function startFakeTrail(opts: { accountId?: string; region?: string; lookupPageSize?: number; filterPageSize?: number; now?: () => number } = {}): Promise<FakeTrail> {
  const accountId = opts.accountId ?? '111122223333';
  const region = opts.region ?? 'us-east-1';
  const now = opts.now ?? Date.now;
  const lookupTimes: number[] = [];
  const fake: FakeTrail = {
    url: '', requests: [], groups: new Map(), cloudTrailEvents: [], rules: new Map(), topics: new Map(), outage: 'none',
    confirm(topicArn, endpoint) {
      const s = fake.topics.get(topicArn)?.subscriptions.find((x) => x.endpoint === endpoint);
      if (s) s.confirmed = true;
    },
    calls: (action) => fake.requests.filter((r) => r.action === action),
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };

  type Reply = { status: number; body: string; type?: string };
  const ok = (o: unknown): Reply => ({ status: 200, body: JSON.stringify(o) });
  const err = (code: string, message: string, status = 400): Reply => ({ status, type: code, body: JSON.stringify({ __type: code, message }) });

  function logs(action: string, b: Record<string, unknown>): Reply {
    const groupName = String(b.logGroupName ?? '');
    const group = fake.groups.get(groupName);
    switch (action) {
      case 'CreateLogGroup':
        if (group) return err('ResourceAlreadyExistsException', 'The specified log group already exists');
        fake.groups.set(groupName, { streams: new Map(), metricFilters: [] });
        return ok({});
      case 'CreateLogStream': {
        if (!group) return err('ResourceNotFoundException', 'The specified log group does not exist.');
        const s = String(b.logStreamName ?? '');
        if (group.streams.has(s)) return err('ResourceAlreadyExistsException', 'The specified log stream already exists');
        group.streams.set(s, []);
        return ok({});
      }
      case 'PutLogEvents': {
        if (!group) return err('ResourceNotFoundException', 'The specified log group does not exist.');
        const stream = group.streams.get(String(b.logStreamName ?? ''));
        if (!stream) return err('ResourceNotFoundException', 'The specified log stream does not exist.');
        const events = (b.logEvents as Array<{ timestamp: number; message: string }> | undefined) ?? [];
        if (!events.length) return err('InvalidParameterException', '1 validation error detected: Value null at \'logEvents\' failed to satisfy constraint: Member must not be null');
        if (events.length > 10_000) return err('InvalidParameterException', 'Upload too large: too many log events');
        const bytes = events.reduce((n, e) => n + Buffer.byteLength(e.message) + 26, 0);
        if (bytes > 1_048_576) return err('InvalidParameterException', `Upload too large: ${bytes} bytes exceeds limit of 1048576`);
        for (let i = 1; i < events.length; i++) {
          if (events[i].timestamp < events[i - 1].timestamp) return err('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.');
        }
        if (events[events.length - 1].timestamp - events[0].timestamp > 24 * 3600_000) return err('InvalidParameterException', 'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
        const t = now();
        for (const e of events) stream.push({ timestamp: e.timestamp, message: e.message, ingestionTime: t, eventId: randomUUID().replace(/-/g, ''), logStreamName: String(b.logStreamName) });
        return ok({ nextSequenceToken: String(stream.length).padStart(56, '0') });
      }
      case 'FilterLogEvents': {
        if (!group) return err('ResourceNotFoundException', 'The specified log group does not exist.');
        const all = [...group.streams.values()].flat()
          .filter((e) => (b.startTime === undefined || e.timestamp >= Number(b.startTime)) && (b.endTime === undefined || e.timestamp <= Number(b.endTime)))
          .sort((x, y) => x.timestamp - y.timestamp);
        const start = b.nextToken ? Number(Buffer.from(String(b.nextToken), 'base64').toString()) : 0;
        const size = opts.filterPageSize ?? 10_000;
        const page = all.slice(start, start + size);
        const next = start + size < all.length ? Buffer.from(String(start + size)).toString('base64') : undefined;
        return ok({ events: page, searchedLogStreams: [...group.streams.keys()].map((logStreamName) => ({ logStreamName, searchedCompletely: true })), ...(next ? { nextToken: next } : {}) });
      }
      case 'PutMetricFilter':
        if (!group) return err('ResourceNotFoundException', 'The specified log group does not exist.');
        group.metricFilters = group.metricFilters.filter((f) => f.filterName !== b.filterName);
        group.metricFilters.push({ ...b, creationTime: now() });
        return ok({});
      case 'DescribeMetricFilters':
        if (b.logGroupName && !group) return err('ResourceNotFoundException', 'The specified log group does not exist.');
        return ok({ metricFilters: (group?.metricFilters ?? []).filter((f) => !b.filterNamePrefix || String(f.filterName).startsWith(String(b.filterNamePrefix))) });
      default:
        return err('UnknownOperationException', '');
    }
  }

  function cloudtrail(action: string, b: Record<string, unknown>): Reply {
    if (action !== 'LookupEvents') return err('UnknownOperationException', '');
    const t = now();
    while (lookupTimes.length && t - lookupTimes[0] >= 1000) lookupTimes.shift();
    if (lookupTimes.length >= 2) return err('ThrottlingException', 'Rate exceeded');
    lookupTimes.push(t);
    const attrs = (b.LookupAttributes as Array<{ AttributeKey: string; AttributeValue: string }> | undefined) ?? [];
    if (attrs.length > 1) return err('InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
    const max = b.MaxResults === undefined ? 50 : Number(b.MaxResults);
    if (max < 1 || max > 50) return err('InvalidMaxResultsException', 'Value for MaxResults must be between 1 and 50.');
    const size = Math.min(max, opts.lookupPageSize ?? 50);
    const field: Record<string, keyof FakeCloudTrailEvent> = { EventName: 'EventName', Username: 'Username', EventSource: 'EventSource', AccessKeyId: 'AccessKeyId', EventId: 'EventId' };
    const matching = fake.cloudTrailEvents
      .filter((e) => attrs.every((a) => e[field[a.AttributeKey] ?? 'EventName'] === a.AttributeValue))
      .filter((e) => (b.StartTime === undefined || e.EventTime >= Number(b.StartTime)) && (b.EndTime === undefined || e.EventTime <= Number(b.EndTime)))
      .sort((x, y) => y.EventTime - x.EventTime);
    let start = 0;
    if (b.NextToken !== undefined) {
      const m = /^page:(\d+)$/.exec(Buffer.from(String(b.NextToken), 'base64').toString());
      if (!m) return err('InvalidNextTokenException', 'Invalid NextToken.');
      start = Number(m[1]);
    }
    const page = matching.slice(start, start + size);
    const next = start + size < matching.length ? Buffer.from(`page:${start + size}`).toString('base64') : undefined;
    return ok({ Events: page, ...(next ? { NextToken: next } : {}) });
  }

  function events(action: string, b: Record<string, unknown>): Reply {
    const name = String(b.Name ?? b.Rule ?? '');
    const rule = fake.rules.get(name);
    const missing = () => err('ResourceNotFoundException', `Rule ${name} does not exist on EventBus default.`);
    switch (action) {
      case 'PutRule': {
        if (b.EventPattern !== undefined) {
          try { JSON.parse(String(b.EventPattern)); } catch { return err('InvalidEventPatternException', 'Event pattern is not valid. Reason: Unexpected character'); }
        }
        const Arn = `arn:aws:events:${region}:${accountId}:rule/${name}`;
        fake.rules.set(name, { Name: name, Arn, EventPattern: b.EventPattern as string | undefined, State: String(b.State ?? 'ENABLED'), Description: b.Description as string | undefined, targets: rule?.targets ?? [] });
        return ok({ RuleArn: Arn });
      }
      case 'DescribeRule':
        if (!rule) return missing();
        return ok({ Name: rule.Name, Arn: rule.Arn, EventPattern: rule.EventPattern, State: rule.State, Description: rule.Description, EventBusName: 'default', CreatedBy: accountId });
      case 'PutTargets': {
        if (!rule) return missing();
        for (const t of (b.Targets as Array<{ Id: string; Arn: string }>) ?? []) {
          rule.targets = rule.targets.filter((x) => x.Id !== t.Id);
          rule.targets.push({ Id: t.Id, Arn: t.Arn });
        }
        return ok({ FailedEntryCount: 0, FailedEntries: [] });
      }
      case 'ListTargetsByRule':
        if (!rule) return missing();
        return ok({ Targets: rule.targets });
      default:
        return err('UnknownOperationException', '');
    }
  }

  function sns(action: string, p: URLSearchParams): Reply {
    const xml = (result: string) => ({ status: 200, body: `<?xml version="1.0"?>\n<${action}Response xmlns="${SNS_NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>\n` });
    const fail = (status: number, code: string, message: string): Reply => ({ status, body: `<ErrorResponse xmlns="${SNS_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>\n` });
    const arn = p.get('TopicArn') ?? '';
    const topic = fake.topics.get(arn);
    const notFound = () => fail(404, 'NotFound', 'Topic does not exist');
    switch (action) {
      case 'CreateTopic': {
        const a = `arn:aws:sns:${region}:${accountId}:${p.get('Name')}`;
        if (!fake.topics.has(a)) fake.topics.set(a, { attributes: { TopicArn: a, Owner: accountId, DisplayName: '' }, subscriptions: [] });
        return xml(`<TopicArn>${a}</TopicArn>`);
      }
      case 'Subscribe': {
        if (!topic) return notFound();
        const endpoint = p.get('Endpoint') ?? '';
        let s = topic.subscriptions.find((x) => x.endpoint === endpoint);
        if (!s) topic.subscriptions.push(s = { arn: `${arn}:${randomUUID()}`, protocol: p.get('Protocol') ?? '', endpoint, confirmed: false });
        return xml(`<SubscriptionArn>${s.confirmed ? s.arn : 'pending confirmation'}</SubscriptionArn>`);
      }
      case 'ListSubscriptionsByTopic':
        if (!topic) return notFound();
        return xml(`<Subscriptions>${topic.subscriptions.map((s) => `<member><TopicArn>${arn}</TopicArn><Protocol>${s.protocol}</Protocol><SubscriptionArn>${s.confirmed ? s.arn : 'PendingConfirmation'}</SubscriptionArn><Owner>${accountId}</Owner><Endpoint>${esc(s.endpoint)}</Endpoint></member>`).join('')}</Subscriptions>`);
      case 'GetTopicAttributes': {
        if (!topic) return notFound();
        const attrs = { ...topic.attributes, SubscriptionsConfirmed: String(topic.subscriptions.filter((s) => s.confirmed).length), SubscriptionsPending: String(topic.subscriptions.filter((s) => !s.confirmed).length), SubscriptionsDeleted: '0' };
        return xml(`<Attributes>${Object.entries(attrs).map(([k, v]) => `<entry><key>${k}</key><value>${esc(v)}</value></entry>`).join('')}</Attributes>`);
      }
      case 'SetTopicAttributes':
        if (!topic) return notFound();
        topic.attributes[p.get('AttributeName') ?? ''] = p.get('AttributeValue') ?? '';
        return { status: 200, body: `<SetTopicAttributesResponse xmlns="${SNS_NS}"><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></SetTopicAttributesResponse>` };
      default:
        return fail(400, 'InvalidAction', `The action ${action} is not valid for this endpoint.`);
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (fake.outage === 'reset') { req.socket.destroy(); return; }
      const text = Buffer.concat(chunks).toString('utf8');
      const target = String(req.headers['x-amz-target'] ?? '');
      let reply: Reply;
      let json = true;
      let service = '';
      let action = '';
      if (target) {
        [service, action] = target.split('.').length > 2 ? [target.split('.').slice(0, -1).join('.'), target.split('.').pop()!] : target.split('.') as [string, string];
        const body = text ? JSON.parse(text) as Record<string, unknown> : {};
        fake.requests.push({ service, action, time: now(), body });
        if (fake.outage === 503) reply = err('ServiceUnavailableException', 'The service is unavailable. Please try again later.', 503);
        else if (service === 'Logs_20140328') reply = logs(action, body);
        // The API reference shows the long form; the SDK v3 sends the short one.
        else if (service === 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101' || service === 'CloudTrail_20131101') reply = cloudtrail(action, body);
        else if (service === 'AWSEvents') reply = events(action, body);
        else reply = err('UnknownOperationException', `Unknown target ${target}`);
      } else {
        json = false;
        const p = new URLSearchParams(text);
        service = 'sns';
        action = p.get('Action') ?? '';
        fake.requests.push({ service, action, time: now(), body: Object.fromEntries(p) });
        reply = fake.outage === 503 ? { status: 503, body: `<ErrorResponse xmlns="${SNS_NS}"><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>Service is unavailable</Message></Error></ErrorResponse>` } : sns(action, p);
      }
      res.writeHead(reply.status, {
        'Content-Type': json ? 'application/x-amz-json-1.1' : 'text/xml',
        'x-amzn-RequestId': randomUUID(),
        ...(json && reply.type ? { 'x-amzn-ErrorType': reply.type } : {}),
      });
      res.end(reply.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
