/**
 * The README's command that prunes old code ConfigMaps ("New code, rollbacks and old
 * ConfigMaps"), run as written by bash against a mock kubectl (no Kubernetes API server runs
 * here). The mock evaluates the command's jsonpath over ReplicaSets made from the synthesized
 * Deployment's pod template, so the path is checked against the real volumes; it lists the
 * ConfigMaps of three code versions and records what is deleted.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { defaultManifests } from '../../charts/default-app';
import { CODE_LABEL } from '../../src/app/code-delivery';
import { DEFAULT_CONFIG } from '../../src/config';

const readme = fs.readFileSync('README.md', 'utf8');

/** The README's prune block. */
function pruneCommand(): string {
  const section = readme.slice(readme.indexOf('#### New code, rollbacks and old ConfigMaps'));
  const m = /```sh\n([\s\S]*?)```/.exec(section);
  assert.ok(m && m[1].includes(' delete'), 'the README section has the prune command');
  return m[1];
}

/** A mock kubectl: `get replicasets ... -o jsonpath=T` evaluates T over the state's ReplicaSets (kubectl allows missing keys). */
const FAKE_KUBECTL = `
const fs = require('node:fs');
const args = process.argv.slice(2);
const state = JSON.parse(fs.readFileSync(process.env.FAKE_STATE, 'utf8'));
fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify(args) + '\\n');
const values = (o, keys) => keys.length === 0 ? [o] : o === undefined || o === null ? [] : (() => {
  const [k, star] = /^(\\w+)(\\[\\*\\])?$/.exec(keys[0]).slice(1);
  const next = o[k];
  return star ? (next ?? []).flatMap((x) => values(x, keys.slice(1))) : values(next, keys.slice(1));
})();
if (args.includes('replicasets')) {
  if (state.replicaSetsFail) { console.error('Error from server (Forbidden): replicasets is forbidden'); process.exit(1); }
  const template = args.find((a) => a.startsWith('jsonpath=')).slice('jsonpath='.length);
  process.stdout.write(template.replace(/\\{([^}]*)\\}/g, (_, p) => values({ items: state.replicaSets }, p.replace(/^\\./, '').split('.')).join(' ')));
} else if (args.includes('configmaps')) {
  process.stdout.write(state.configMaps.map((n) => 'configmap/' + n + '\\n').join(''));
} else if (!args.includes('delete')) {
  console.error('mock kubectl: unexpected call ' + args.join(' '));
  process.exit(1);
}
`;

describe("README: pruning old code ConfigMaps", () => {
  const manifests = defaultManifests();
  const deployment = manifests.find((o) => o.kind === 'Deployment' && o.metadata.name === DEFAULT_CONFIG.app.name);
  const current: string[] = manifests.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.[CODE_LABEL]).map((o) => o.metadata.name);
  /** The same names for another version of the code. */
  const version = (names: string[], hash: string) => names.map((n) => n.replace(/-[0-9a-f]{8}(-\d+)?$/, `-${hash}$1`));
  /** A ReplicaSet of the Deployment at a revision whose pod template names the ConfigMaps of `hash`. */
  const replicaSet = (hash?: string) => ({ spec: { template: JSON.parse(hash ? JSON.stringify(deployment.spec.template).replace(/(-heapwatch-(?:agent|exporter))-[0-9a-f]{8}/g, `$1-${hash}`) : JSON.stringify(deployment.spec.template)) } });

  function prune(state: object): string[][] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwatch-readme-prune-'));
    try {
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.writeFileSync(path.join(dir, 'kubectl.js'), FAKE_KUBECTL);
      fs.writeFileSync(path.join(dir, 'bin', 'kubectl'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(dir, 'kubectl.js')}" "$@"\n`, { mode: 0o755 });
      fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state));
      const r = spawnSync('bash', ['--norc', '--noprofile', '-c', pruneCommand()], {
        encoding: 'utf8',
        env: { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, FAKE_STATE: path.join(dir, 'state.json'), FAKE_LOG: path.join(dir, 'log') },
      });
      assert.equal(r.stderr.replace(/^Error from server \(Forbidden\).*\n/, ''), '');
      return fs.readFileSync(path.join(dir, 'log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]).filter((a) => a.includes('delete'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it('deletes the code ConfigMaps no ReplicaSet uses, and keeps the current and rollback ones', () => {
    assert.equal(current.length, 3, 'the agent and two sidecar parts');
    const configMaps = [...current, ...version(current, 'aaaaaaaa'), ...version(current, 'bbbbbbbb')];
    const deleted = prune({ replicaSets: [replicaSet(), replicaSet('aaaaaaaa')], configMaps });
    assert.deepEqual(deleted, [['-n', deployment.metadata.namespace, 'delete', ...version(current, 'bbbbbbbb').map((n) => `configmap/${n}`)]]);
  });

  it('deletes nothing when the ReplicaSets cannot be read', () => {
    assert.deepEqual(prune({ replicaSetsFail: true, replicaSets: [], configMaps: [...current, ...version(current, 'bbbbbbbb')] }), []);
  });

  it('deletes nothing when every code ConfigMap is in use', () => {
    assert.deepEqual(prune({ replicaSets: [replicaSet()], configMaps: current }), []);
  });
});
