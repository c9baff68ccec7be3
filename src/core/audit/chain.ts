// The audit log's hash chain and its verifier.
//
// Every record carries `seq` (1, 2, 3, … across every file of the log, rotated ones included) and `prev`: the SHA-256
// (hex) of the exact bytes of the previous record's line (without its newline). The first record ever has
// prev = "genesis". The first record of a file started by rotation carries `rotatedFrom` (the previous file's name) and
// its `prev` is the hash of that file's last record — the chain head is recorded in each new file. The writer also
// keeps the newest head in `<log>.head` ({seq, hash}), so removing or editing the LAST lines (which no later record
// protects) is detected too.
//
// verifyAudit() walks every line in order and reports the FIRST broken link, classified as edited, deleted, inserted,
// reordered or truncated. A line that does not parse while the chain continues unbroken across it is a torn write from
// a crash (reported, not a break). Records written before the chain existed (a log from an older version) are counted
// as `legacy`, never silently dropped.
import { createHash } from 'crypto';

/** `prev` of the very first record. */
export const GENESIS = 'genesis';

export function lineHash(line: string | Buffer): string {
  return createHash('sha256').update(line).digest('hex');
}

export interface ChainHead {
  seq: number;
  hash: string;
}

export type BreakKind = 'edited' | 'deleted' | 'inserted' | 'reordered' | 'truncated';

export interface ChainBreak {
  kind: BreakKind;
  file: string;
  /** 1-based line in `file`. */
  line: number;
  seq?: number;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Records read (every parseable record line of every file), whatever the chain says. */
  records: number;
  /** Records verified by the chain up to the first break (all of them when ok). */
  verified: number;
  /** Records from before the hash chain existed: readable but not verifiable. */
  legacy: number;
  /** Lines that do not parse but leave the chain intact: torn writes from a crash. */
  torn: Array<{ file: string; line: number }>;
  files: string[];
  firstBreak?: ChainBreak;
  head?: ChainHead;
}

export interface ChainedFields {
  seq?: number;
  prev?: string;
  rotatedFrom?: string;
  event?: unknown;
  ts?: unknown;
}

interface Pos { file: string; line: number }

/** Parses a line as a record, or undefined. */
function parseRecord(line: string): ChainedFields | undefined {
  try {
    const r = JSON.parse(line) as ChainedFields;
    return r && typeof r === 'object' && typeof r.ts === 'string' && typeof r.event === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

const isChained = (r: ChainedFields) => typeof r.seq === 'number' && typeof r.prev === 'string';

/**
 * Verifies the files of one log, oldest first (rotated files, then the current one), against the recorded head.
 * Pure: give it the texts.
 */
export function verifyAudit(files: Array<{ name: string; text: string }>, recordedHead?: ChainHead): VerifyResult {
  const lines: Array<Pos & { text: string; r?: ChainedFields }> = [];
  for (const f of files) {
    f.text.split('\n').forEach((text, i) => {
      if (text.trim()) lines.push({ file: f.name, line: i + 1, text, r: parseRecord(text) });
    });
  }
  const seqAt = new Map<number, number[]>();
  lines.forEach((l, i) => {
    if (l.r && isChained(l.r)) seqAt.set(l.r.seq as number, [...(seqAt.get(l.r.seq as number) ?? []), i]);
  });
  const res: VerifyResult = { ok: true, records: lines.filter((l) => l.r).length, verified: 0, legacy: 0, torn: [], files: files.map((f) => f.name) };
  let last: { hash: string; seq: number; pos: Pos } | undefined;
  let chainStarted = false;
  let unparsed: Pos[] = [];
  const fail = (b: ChainBreak) => {
    res.ok = false;
    res.firstBreak = b;
  };
  for (let i = 0; i < lines.length && res.ok; i++) {
    const l = lines[i];
    const r = l.r;
    if (!r) {
      unparsed.push({ file: l.file, line: l.line });
      continue;
    }
    const here = `${l.file} line ${l.line}`;
    if (!isChained(r)) {
      if (chainStarted) {
        fail({ kind: 'inserted', file: l.file, line: l.line, message: `${here} has no chain fields (seq, prev): it was inserted by hand or by a tool other than Break Glass.` });
        break;
      }
      res.legacy++;
      res.torn.push(...unparsed);
      unparsed = [];
      last = { hash: lineHash(l.text), seq: 0, pos: l };
      continue;
    }
    const seq = r.seq as number;
    const expectedSeq = chainStarted && last ? last.seq + 1 : 1;
    const expectedPrev = last ? last.hash : GENESIS;
    if (seq === expectedSeq && r.prev === expectedPrev) {
      chainStarted = true;
      res.verified++;
      res.torn.push(...unparsed);
      unparsed = [];
      last = { hash: lineHash(l.text), seq, pos: l };
      continue;
    }
    if (seq === expectedSeq) {
      if (!last) {
        fail({ kind: 'deleted', file: l.file, line: l.line, seq, message: `${here} (record ${seq}) does not start from the beginning of the chain: the records before it were deleted.` });
      } else {
        fail({ kind: 'edited', file: last.pos.file, line: last.pos.line, seq: last.seq || undefined, message: `${last.pos.file} line ${last.pos.line} was edited: its hash no longer matches the one recorded by the next record (${here}).` });
      }
    } else if (seq > expectedSeq) {
      const missing = seq - expectedSeq;
      const laterMissing = (seqAt.get(expectedSeq) ?? []).some((j) => j > i);
      if (laterMissing) {
        fail({ kind: 'reordered', file: l.file, line: l.line, seq, message: `${here} holds record ${seq} where record ${expectedSeq} was expected, which comes later in the log: lines were reordered.` });
      } else if (unparsed.length) {
        const u = unparsed[unparsed.length - 1];
        fail({ kind: 'edited', file: u.file, line: u.line, seq: expectedSeq, message: `${u.file} line ${u.line} is no longer a valid record (record ${expectedSeq} expected there): it was edited.` });
      } else if (!last || !chainStarted) {
        fail({ kind: 'deleted', file: l.file, line: l.line, seq, message: `${here} is record ${seq} but the chain starts at 1: records 1–${seq - 1} were deleted (or an older log file is missing).` });
      } else {
        const rotated = r.rotatedFrom ? ` (this file continues ${r.rotatedFrom})` : '';
        fail({ kind: 'deleted', file: l.file, line: l.line, seq, message: `${missing} record(s) (${expectedSeq}${missing > 1 ? `–${seq - 1}` : ''}) were deleted before ${here}${rotated}.` });
      }
    } else {
      const first = (seqAt.get(seq) ?? [])[0];
      const dup = first !== undefined && first < i ? ` (record ${seq} already appears at ${lines[first].file} line ${lines[first].line})` : '';
      const laterMissing = (seqAt.get(expectedSeq) ?? []).some((j) => j > i);
      fail({
        kind: dup || !laterMissing ? 'inserted' : 'reordered', file: l.file, line: l.line, seq,
        message: dup ? `${here} repeats record ${seq}${dup}: a record was inserted.` : `${here} holds record ${seq} after record ${expectedSeq - 1}: lines were reordered.`,
      });
    }
  }
  if (res.ok && chainStarted && last) {
    res.head = { seq: last.seq, hash: last.hash };
    if (recordedHead && recordedHead.seq > last.seq) {
      fail({ kind: 'truncated', file: last.pos.file, line: last.pos.line, seq: last.seq, message: `The log ends at record ${last.seq} (${last.pos.file} line ${last.pos.line}) but record ${recordedHead.seq} was written: ${recordedHead.seq - last.seq} record(s) were removed from the end.` });
    } else if (recordedHead && recordedHead.seq === last.seq && recordedHead.hash !== last.hash) {
      fail({ kind: 'edited', file: last.pos.file, line: last.pos.line, seq: last.seq, message: `${last.pos.file} line ${last.pos.line} (the last record) was edited: its hash differs from the recorded chain head.` });
    }
  } else if (res.ok && !chainStarted && recordedHead && recordedHead.seq > 0) {
    const f = files[files.length - 1]?.name ?? '(log)';
    fail({ kind: 'truncated', file: f, line: 1, message: `The log holds no chained record but record ${recordedHead.seq} was written: the log was emptied or replaced.` });
  }
  if (res.ok) res.torn.push(...unparsed);
  return res;
}
