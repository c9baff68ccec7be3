// Live policy preview while typing: what one keystroke (after the debounce) costs the host — rebuilding the preview
// for a playbook against the incident_responder role, with the real session's context, and serialising the state
// message the panel posts. Each run is an edit: a fresh session-policy document and text (so nothing keyed on the
// policy is reused), the role's policies unchanged (as in the product, where they are the bundled templates).
//
// Baseline, the same output the straightforward way: build every service's action lists eagerly (buildPreviewModel)
// and strip them for the message (slimModel), as the panel did before lists were built on demand. The bench checks
// that both give the identical message.
import type { Benchmark } from './index';
import { previewSessionContext } from '../src/core/preview/context';
import { buildPreview, buildPreviewModel, slimModel, templateInput, type PreviewInput } from '../src/core/preview/model';
import type { PolicyDocument } from '../src/core/policy/types';

const RUNS = 40;

/** The input after edit number i: the same policy with a changed Sid, re-parsed from its new text. */
function edited(base: PreviewInput, i: number): PreviewInput {
  const doc = structuredClone(base.session?.[0]?.document) as PolicyDocument;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  statements[0].Sid = `Edit${i}`;
  const text = JSON.stringify(doc, null, 2);
  return { ...base, session: [{ name: 'containment_actions', document: JSON.parse(text) as PolicyDocument }], sessionPolicyText: text };
}

export const previewBenchmarks: Benchmark[] = [{
  name: 'preview',
  description: 'live preview rebuild: incident_responder with containment_actions (full catalog), session context, as on each edit of a playbook',
  async run(report) {
    const { context, notes } = previewSessionContext({
      target: { kind: 'playbook', roleName: 'incident_responder', playbook: 'containment_actions' },
      config: { version: 1, accounts: [] }, requester: 'bench@example.com', clock: { now: () => Date.now() },
    });
    const base: PreviewInput = { ...templateInput('incident_responder', 'containment_actions'), sessionContext: context, notes };
    const ours = (input: PreviewInput) => JSON.stringify(buildPreview(input).model);
    const eager = (input: PreviewInput) => JSON.stringify(slimModel(buildPreviewModel(input)));
    if (ours(base) !== eager(base)) throw new Error('the on-demand model differs from the eager one: the comparison would be meaningless');
    for (let i = 0; i < 5; i++) { ours(edited(base, -i)); eager(edited(base, -i)); } // data loaded, JIT warm
    const a: number[] = [];
    const b: number[] = [];
    let bytes = 0;
    // In alternating blocks of 10, so drift in the machine's load affects both sides alike, while one side's garbage
    // (the eager build makes ~20,000 action views per run) is mostly collected before the other side's block starts.
    for (let block = 0; block < RUNS / 10; block++) {
      for (let i = 0; i < 10; i++) {
        const x = edited(base, 1000 + block * 10 + i);
        const t = performance.now();
        bytes = ours(x).length;
        a.push(performance.now() - t);
      }
      for (let i = 0; i < 10; i++) {
        const y = edited(base, 2000 + block * 10 + i);
        const t = performance.now();
        eager(y);
        b.push(performance.now() - t);
      }
    }
    const m = report.stats(a);
    const e = report.stats(b);
    report.figure({ name: `preview rebuild + state serialised, median of ${RUNS}`, value: m.median, unit: 'ms', baseline: { name: 'eager lists, then stripped (same message)', value: e.median } });
    report.figure({ name: 'preview rebuild + state serialised, p95', value: m.p95, unit: 'ms', baseline: { name: 'eager lists, then stripped, p95', value: e.p95 }, target: { max: 16 } });
    report.note(`state message posted to the page: ${(bytes / 1024).toFixed(0)} KiB of JSON (lists on demand, per service)`);
  },
}];
