import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFetchArgs } from '../../src/cli/fetch-args';
import { DEFAULT_CONFIG } from '../../src/config/defaults';
import { usageProblems } from '../support/usage-problems';

const problems = (argv: string[]) => usageProblems(parseFetchArgs, argv);

describe('heapwatch fetch arguments', () => {
  it("defaults to the config defaults (the sidecar port, the token Secret) and leaves the namespace to kubectl's context", () => {
    assert.deepEqual(parseFetchArgs(['snapshot', '--deployment', 'sample-app']), {
      kind: 'fetch', what: 'snapshot', namespace: undefined, target: 'deploy/sample-app', port: DEFAULT_CONFIG.exporter.port,
      secretName: DEFAULT_CONFIG.exporter.snapshots.tokenSecretName, secretKey: DEFAULT_CONFIG.exporter.snapshots.tokenSecretKey, outDir: '.', name: undefined,
    });
    const c = parseFetchArgs(['profile', '--pod=api-1', '--namespace', 'payments', '--port', '9500', '--secret', 'tok', '--secret-key', 'admin.token', '--name', 'a.heapprofile', '--out', '/tmp/x']);
    assert.deepEqual([c.what, c.target, c.namespace, c.port, c.secretName, c.secretKey, c.name, c.outDir], ['profile', 'pod/api-1', 'payments', 9500, 'tok', 'admin.token', 'a.heapprofile', '/tmp/x']);
  });

  it('fails with every problem at once, each naming the argument, the value and what is allowed', () => {
    assert.deepEqual(problems(['dump', 'extra', '--namespace', 'Prod', '--port', '70000', '--name', '../etc/passwd', '--secret-key', 'a/b', '--verbose']), [
      'unknown option "--verbose"; allowed: --namespace NS, --deployment NAME, --pod NAME, --port N, --secret NAME, --secret-key KEY, --name FILE, --out DIR',
      'fetch "dump": allowed: snapshot, profile',
      'fetch takes one of snapshot or profile, then options; unexpected: extra',
      '--namespace ("Prod") must be a Kubernetes name: lower-case letters, digits, "-" and "."',
      '--secret-key ("a/b") must be a Secret key: letters, digits, "-", "_" and "."',
      'fetch needs exactly one of --deployment NAME or --pod NAME',
      '--port ("70000") must be a whole number from 1 to 65535',
      '--name ("../etc/passwd") must be a file name from the list: letters, digits, ".", "_" and "-"',
    ]);
    assert.deepEqual(problems([]), ['fetch needs what to take: snapshot or profile', 'fetch needs exactly one of --deployment NAME or --pod NAME']);
    assert.deepEqual(problems(['snapshot', '--deployment', 'a', '--pod', 'b']), ['fetch needs exactly one of --deployment NAME or --pod NAME']);
  });
});
