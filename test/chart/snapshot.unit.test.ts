/**
 * One snapshot of the whole default deployment, so any change to what `kubectl apply` gets is
 * seen in review. After an intended change: `UPDATE_SNAPSHOTS=1 npm test` (or
 * `npm run snapshots`), and read the diff of test/snapshots/ before committing it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { defaultManifests } from '../../charts/default-app';
import { CODE_ANNOTATIONS } from '../../src/app';
import { AGENT_FILE, EXPORTER_FILE } from '../../src/contract';

const SNAPSHOT = 'test/snapshots/default-chart.k8s.yaml';

/**
 * The shipped code (the code ConfigMaps' files, the pod's sha256 annotations, the content hash in
 * the code ConfigMaps' names) changes with every bundle; test/app/shipped-code.test.ts checks it
 * byte for byte against src/, so here it is a placeholder and the snapshot's diff stays about the manifests.
 */
function withCodeMasked(m: any): any {
  const code = (key: string) => key === AGENT_FILE || key.startsWith(`${EXPORTER_FILE}.gz.`);
  const mask = (values: Record<string, string> | undefined) =>
    values && Object.fromEntries(Object.entries(values).map(([k, v]) => [k, code(k) ? '<shipped code>' : v]));
  if (m.kind === 'ConfigMap') return { ...m, data: mask(m.data), binaryData: mask(m.binaryData) };
  const annotations = m.spec?.template?.metadata?.annotations;
  if (!annotations) return m;
  const masked = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, Object.values(CODE_ANNOTATIONS).includes(k as any) ? '<sha256 of the shipped code>' : v]));
  return { ...m, spec: { ...m.spec, template: { ...m.spec.template, metadata: { ...m.spec.template.metadata, annotations: masked } } } };
}

describe('default chart snapshot', () => {
  it('matches the committed snapshot', () => {
    const text = defaultManifests().map((m) => YAML.stringify(withCodeMasked(m))).join('---\n')
      .replace(/-heapwatch-(agent|exporter)-[0-9a-f]{8}\b/g, '-heapwatch-$1-<content hash>');
    if (process.env.UPDATE_SNAPSHOTS === '1') writeFileSync(SNAPSHOT, text);
    assert.ok(existsSync(SNAPSHOT), `${SNAPSHOT} is missing: run UPDATE_SNAPSHOTS=1 npm test`);
    const committed = readFileSync(SNAPSHOT, 'utf8');
    if (committed !== text) {
      const a = committed.split('\n');
      const b = text.split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      assert.fail(`the default chart changed at line ${line + 1} of ${SNAPSHOT}:\n  committed: ${a[line]}\n  now:       ${b[line]}\n` +
        'If the change is intended, run `npm run snapshots` and commit the result.');
    }
  });
});
