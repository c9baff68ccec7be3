// Live policy preview while typing: what one keystroke (after the debounce) costs the host — rebuilding the preview
// model for a playbook against the incident_responder role — against the two effectivePermissions() passes (role,
// and role ∩ session) that it cannot avoid. The page's render time is reported by the integration tests.
import type { Benchmark } from './index';
import { buildPreviewModel, templateInput } from '../src/core/preview/model';
import { effectivePermissions } from '../src/core/policy/effective';

const RUNS = 25;

export const previewBenchmarks: Benchmark[] = [{
  name: 'preview',
  description: 'live preview rebuild: incident_responder with containment_actions (full catalog), as on each edit of a playbook',
  async run(report) {
    const input = templateInput('incident_responder', 'containment_actions');
    buildPreviewModel(input); // data loaded, caches warm: as after the first preview
    const model: number[] = [];
    const base: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      const m = buildPreviewModel(input);
      model.push(performance.now() - t);
      if (!bytes) bytes = JSON.stringify(m).length;
      t = performance.now();
      effectivePermissions({ identity: input.identity, boundary: input.boundary });
      effectivePermissions({ identity: input.identity, boundary: input.boundary, session: input.session });
      base.push(performance.now() - t);
    }
    const m = report.stats(model);
    const b = report.stats(base);
    report.figure({ name: `preview model rebuild, median of ${RUNS}`, value: m.median, unit: 'ms', baseline: { name: 'the two effectivePermissions passes alone', value: b.median } });
    report.note(`model posted to the page: ${(bytes / 1024).toFixed(0)} KiB of JSON; p95 ${m.p95.toFixed(1)} ms`);
  },
}];
