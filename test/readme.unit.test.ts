import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { defaultManifests } from '../charts/default-app';
import { DEFAULT_CONFIG } from '../src/config';
import { ALERTS } from '../src/contract';

const readme = readFileSync('README.md', 'utf8');

/** Every leaf of the defaults as [path, value]. */
function leaves(o: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(o).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? leaves(v as Record<string, unknown>, `${prefix}${k}.`) : [[`${prefix}${k}`, v] as [string, unknown]]);
}

/** How the README writes a default: strings bare, "" for empty, — for unset, the rest as JSON. */
function shown(v: unknown): string {
  if (v === undefined) return '—';
  if (v === '') return '`""`';
  if (typeof v === 'string') return `\`${v}\``;
  return `\`${JSON.stringify(v)}\``;
}

describe('README', () => {
  it('lists every config field with its real default, and no field that does not exist', () => {
    const rows = new Map<string, string>();
    const configSection = readme.slice(readme.indexOf('\n## Config\n'), readme.indexOf('\n## ', readme.indexOf('\n## Config\n') + 1));
    for (const m of configSection.matchAll(/^\| `([a-zA-Z.]+)` \| ([^|]+) \|/gm)) rows.set(m[1], m[2].trim());
    const fields = leaves(DEFAULT_CONFIG as unknown as Record<string, unknown>);
    for (const [path, value] of fields) {
      assert.ok(rows.has(path), `README config table lacks ${path}`);
      assert.equal(rows.get(path), shown(value), `README default of ${path}`);
    }
    const known = new Set(fields.map(([p]) => p));
    for (const path of rows.keys()) assert.ok(known.has(path), `README lists ${path}, which is not a config field`);
  });

  it('gives exactly the two commands the project runs: install + synth, and the tests', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    const ci = readFileSync('.ci/run', 'utf8');
    assert.match(readme, /```sh\nnpm install && npm run synth\n```/);
    assert.match(readme, /```sh\nnpm test\n```/);
    assert.ok(pkg.scripts.synth && pkg.scripts.test);
    assert.match(ci, /^npm test$/m, '.ci/run calls the README test command');
  });

  it('lists every alert with a link to its runbook', () => {
    for (const alert of ALERTS) {
      assert.match(readme, new RegExp(`^\\| \`${alert}\` \\|.*\\]\\(alerts/runbooks/${alert}\\.md\\) \\|$`, 'm'), `README row for ${alert}`);
    }
  });

  it('gives a one-line command for every Secret heapwatch reads', () => {
    for (const name of [DEFAULT_CONFIG.slack.webhookSecretName, DEFAULT_CONFIG.grafana.adminSecretName, DEFAULT_CONFIG.exporter.snapshots.tokenSecretName]) {
      assert.match(readme, new RegExp(`kubectl -n \\S+ create secret generic ${name} --from-literal=`), `README creates ${name}`);
    }
  });

  it("sends every command for the sample app to the namespace the default chart synthesizes it into", () => {
    const sample = defaultManifests().find((o) => o.kind === 'Deployment' && o.metadata.name === DEFAULT_CONFIG.app.name);
    const namespace: string = sample.metadata.namespace;
    const blocks = [...readme.matchAll(/^```(?:sh|yaml)?\n([\s\S]*?)^```$/gm)].map((m) => m[1]).filter((b) => b.includes(DEFAULT_CONFIG.app.name));
    const used: string[] = [];
    for (const block of blocks) {
      for (const line of block.split('\n')) {
        const named = [...line.matchAll(/\bnamespace: ([^\s,}]+)/g)].map((m) => m[1]);
        // Each kubectl or heapwatch fetch of the line (a pipeline, a $(...) or a && chain holds several).
        for (const command of line.split(/\||&&|;|\$\(/).filter((c) => /\bkubectl\b|\bheapwatch fetch\b/.test(c))) {
          const flags = [...command.matchAll(/\s(?:-n|--namespace)[ =]([^\s)]+)/g)].map((m) => m[1]);
          // One that names none would run in the kubeconfig context's namespace, likely not the sample's.
          if (!/\bkubectl apply -f\b/.test(command)) assert.ok(flags.length > 0, `README names the namespace in: ${command.trim()}`);
          named.push(...flags);
        }
        for (const ns of named) assert.equal(ns, namespace, `README: ${line.trim()}`);
        used.push(...named);
      }
    }
    assert.ok(used.length >= 10, `the README's sample-app commands name their namespace (${used.length} found)`);
  });
});
