// Child process for the crash-safety test: appends audit records as fast as it can until killed.
import { AuditLog } from '../../../src/core/audit/log';

const log = new AuditLog(process.argv[2]);
let i = 0;
async function loop(): Promise<void> {
  for (;;) {
    await log.append({ event: 'granted', sessionId: `s-${i}`, incidentId: 'INC-2024-001', justification: 'x'.repeat(200 + (i % 50)), details: { i } });
    if (++i === 20) process.stdout.write('ready\n');
  }
}
void loop();
