// A local SNS endpoint speaking SNS's awsQuery wire format (form-encoded POST with Action/Version, XML answers in the
// http://sns.amazonaws.com/doc/2010-03-31/ namespace, ErrorResponse/Error/Type,Code,Message on failure), for the
// approval notification tests. Only Publish is served; every request is recorded so a test can read what was sent.
// Wire format: https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (response elements, errors NotFound 404,
// AuthorizationError 403, InvalidParameter 400; Subject under 100 characters without line breaks or control characters)
// and https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html.
import * as http from 'http';
import { randomUUID } from 'crypto';
import type { AddressInfo } from 'net';

export interface PublishedMessage {
  topicArn: string;
  subject?: string;
  message: string;
  /** The whole form body, to prove nothing else was sent. */
  raw: string;
}

export interface FakeSns {
  url: string;
  published: PublishedMessage[];
  /** Topics that exist; Publish to another answers NotFound like SNS. */
  topics: Set<string>;
  /** Answer the next Publish calls with this error. */
  failNext(e: { status: number; code: string; message: string }, times?: number): void;
  close(): Promise<void>;
}

const NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export async function startFakeSns(topics: string[] = []): Promise<FakeSns> {
  const published: PublishedMessage[] = [];
  const known = new Set(topics);
  let failure: { status: number; code: string; message: string; times: number } | undefined;
  const error = (status: number, code: string, message: string) => ({
    status,
    body: `<ErrorResponse xmlns="${NS}">\n  <Error>\n    <Type>Sender</Type>\n    <Code>${esc(code)}</Code>\n    <Message>${esc(message)}</Message>\n  </Error>\n  <RequestId>${randomUUID()}</RequestId>\n</ErrorResponse>\n`,
  });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const form = new URLSearchParams(raw);
      let reply: { status: number; body: string };
      if (form.get('Version') !== '2010-03-31') reply = error(400, 'InvalidAction', 'Could not find operation for version');
      else if (form.get('Action') !== 'Publish') reply = error(400, 'InvalidAction', `Could not find operation ${form.get('Action')} for version 2010-03-31`);
      else if (failure) {
        reply = error(failure.status, failure.code, failure.message);
        if (--failure.times <= 0) failure = undefined;
      } else {
        const topicArn = form.get('TopicArn') ?? '';
        const message = form.get('Message');
        const subject = form.get('Subject');
        if (!message) reply = error(400, 'InvalidParameter', 'Invalid parameter: Empty message');
        else if (subject !== null && (subject.length >= 100 || /[\x00-\x1f\x7f]/.test(subject))) reply = error(400, 'InvalidParameter', 'Invalid parameter: Subject');
        else if (!known.has(topicArn)) reply = error(404, 'NotFound', 'Topic does not exist');
        else {
          published.push({ topicArn, message, raw, ...(form.get('Subject') ? { subject: form.get('Subject')! } : {}) });
          reply = {
            status: 200,
            body: `<PublishResponse xmlns="${NS}">\n  <PublishResult>\n    <MessageId>${randomUUID()}</MessageId>\n  </PublishResult>\n  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n</PublishResponse>\n`,
          };
        }
      }
      res.writeHead(reply.status, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': randomUUID(), 'Content-Length': Buffer.byteLength(reply.body) });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    published,
    topics: known,
    failNext(e, times = 1) {
      failure = { ...e, times };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
