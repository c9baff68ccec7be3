// Child process for the multi-process test: appends `count` records tagged with its writer id and generation, printing
// "ack <n>" to stdout after each one is durable (so the parent knows exactly which records were acknowledged).
import { AuditLog } from '../../../src/core/audit/log';

const [file, writer, gen, startText, countText, rotateText] = process.argv.slice(2);
const log = new AuditLog(file, { source: `w${writer}`, rotateBytes: Number(rotateText) || undefined });
async function run(): Promise<void> {
  const start = Number(startText);
  const count = Number(countText);
  for (let i = start; i < count; i++) {
    await log.append({ event: 'granted', sessionId: `w${writer}-${i}`, incidentId: 'INC-2024-001', justification: `writer ${writer} gen ${gen}`, details: { i, gen: Number(gen) } });
    process.stdout.write(`ack ${i}\n`);
  }
  await log.dispose();
}
void run();
