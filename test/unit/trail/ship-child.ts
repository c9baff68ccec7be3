// Child process for the shipping crash test: appends records and ships each one to the endpoint as it goes, printing
// "ack <i>" once a record is durable locally, until killed.
import { AuditLog } from '../../../src/core/audit/log';
import { AwsClients } from '../../../src/core/aws/clients';
import { CloudWatchShipper } from '../../../src/core/trail/cloudwatch';

const [file, endpoint, group] = process.argv.slice(2);
const clients = new AwsClients({ endpointUrl: endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }, env: {}, maxAttempts: 1 });
const shipper = new CloudWatchShipper({ logs: clients.cloudWatchLogs(), logGroup: group, logStream: 'crash', auditFile: file, baseDelayMs: 1 });
const log = new AuditLog(file, { onAppended: () => shipper.notify() });
async function run(): Promise<void> {
  for (let i = 0; ; i++) {
    await log.append({ event: 'granted', sessionId: `c${i}` });
    process.stdout.write(`ack ${i}\n`);
  }
}
void run();
