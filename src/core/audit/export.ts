// Export of the audit log that keeps the hash chain: every record exactly as written (seq, prev, rotatedFrom included),
// the recorded head and the verification result at export time. Our writer serialises with JSON.stringify, so
// re-serialising a parsed record gives back the exact line its successor hashed: verifyAuditExport() re-checks the
// chain of an exported file with no access to the original log.
import { verifyAudit, type ChainHead, type VerifyResult } from './chain';
import type { AuditLog, AuditRecord } from './log';
import { renderAuditJson, summarizeAudit, type AuditSummary } from './summary';

export interface AuditExport {
  format: 'breakglass-audit-export/1';
  exportedAt: string;
  source: string;
  head?: ChainHead;
  integrity: VerifyResult;
  summary: AuditSummary;
  records: AuditRecord[];
}

export async function buildAuditExport(log: AuditLog, now: () => number = Date.now): Promise<AuditExport> {
  const [{ records, skipped, skippedLines }, integrity] = await Promise.all([log.read(), log.verify()]);
  const summary = summarizeAudit(records, { now: now() }, { integrity, unreadableLines: skippedLines?.length ?? skipped.length });
  return {
    format: 'breakglass-audit-export/1', exportedAt: new Date(now()).toISOString(), source: log.file,
    ...(integrity.head ? { head: integrity.head } : {}), integrity, summary: JSON.parse(renderAuditJson(summary)) as AuditSummary, records,
  };
}

/** Re-verifies the chain of an exported file (parsed JSON). */
export function verifyAuditExport(data: unknown): VerifyResult {
  const d = data as Partial<AuditExport> | undefined;
  if (!d || d.format !== 'breakglass-audit-export/1' || !Array.isArray(d.records)) {
    throw new Error('This is not a Break Glass audit export (format "breakglass-audit-export/1" with a "records" array).');
  }
  const text = d.records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  return verifyAudit([{ name: 'export', text }], d.head);
}
