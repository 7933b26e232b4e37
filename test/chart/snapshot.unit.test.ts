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

const SNAPSHOT = 'test/snapshots/default-chart.k8s.yaml';

describe('default chart snapshot', () => {
  it('matches the committed snapshot', () => {
    const text = defaultManifests().map((m) => YAML.stringify(m)).join('---\n');
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
