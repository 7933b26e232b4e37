/**
 * The Kubernetes Job the README gives for running `heapwatch report` in-cluster: its manifest
 * passes the Kubernetes schemas and the project's pod policy, and its download step (the init
 * container's `node -e`) really fetches a snapshot with the token from the sidecar's admin API
 * shape, here a local stand-in server (no cluster runs here).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { defaultManifests } from '../../charts/default-app';
import { DEFAULT_CONFIG } from '../../src/config';
import type { K8sObject } from '../support/k8s-object';
import { checkPolicy } from '../support/k8s-policy';
import { formatSchemaProblem, validateObjects } from '../support/k8s-schema';
import { selects } from '../support/k8s-selector';

const readme = fs.readFileSync('README.md', 'utf8');

/** The README's Job heredoc with the shell variables set as a user would set them. */
function jobManifests(vars: Record<string, string>): K8sObject[] {
  const m = /kubectl apply -f - <<YAML\n([\s\S]*?)\nYAML\n/.exec(readme);
  assert.ok(m, 'README has the report Job heredoc');
  const text = m[1].replace(/\$\{(\w+)\}/g, (_, name: string) => {
    assert.ok(name in vars, `README Job uses \${${name}}`);
    return vars[name];
  });
  return parseAllDocuments(text).map((d) => d.toJSON() as K8sObject);
}

describe('README: heapwatch report as a Kubernetes Job', () => {
  const objects = jobManifests({ POD_IP: '10.1.2.3', NAME: 'sample-app-1.heapsnapshot' });
  const job = objects.find((o) => o.kind === 'Job') as any;

  it('is a Job and its NetworkPolicies, which pass the Kubernetes schemas', () => {
    assert.deepEqual(objects.map((o) => o.kind), ['NetworkPolicy', 'NetworkPolicy', 'Job']);
    assert.deepEqual(validateObjects(objects).map(formatSchemaProblem), []);
  });

  it("goes into the sample app's synthesized namespace, and its policy opens the sample's pods to the Job's", () => {
    const sample = defaultManifests().find((o) => o.kind === 'Deployment' && o.metadata.name === DEFAULT_CONFIG.app.name);
    for (const o of objects) assert.equal(o.metadata.namespace, sample.metadata.namespace, `${o.kind} ${o.metadata.name}`);
    const toSidecar = objects.find((o) => o.metadata.name === 'heapwatch-report-to-sidecar')!;
    assert.ok(selects(toSidecar.spec.podSelector, sample.spec.template.metadata.labels), "it selects the sample's pods");
    assert.ok(selects(toSidecar.spec.ingress[0].from[0].podSelector, job.spec.template.metadata.labels), "and admits the Job's");
  });

  it('passes the pod policy every heapwatch pod passes, and gives the report more memory than the bench measured for 120 MiB', () => {
    // A one-off Job the user applies, not an object heapwatch manages: of the app.kubernetes.io
    // labels only the name applies (no instance, component, part-of or managed-by).
    const problems = checkPolicy(objects, { requiredLabels: ['app.kubernetes.io/name'] });
    assert.deepEqual(problems.map((v) => `${v.object}: ${v.path}: ${v.message}`), []);
    const report = job.spec.template.spec.containers[0];
    assert.match(report.command.join(' '), /heapwatch@\S+ report \/work\/sample-app-1\.heapsnapshot$/);
    assert.equal(report.resources.limits.memory, '800Mi', 'README: a 120 MiB snapshot needs about 800Mi');
  });

  it('downloads the snapshot with the mounted token, streaming it to the work volume', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwatch-readme-job-'));
    const body = Buffer.alloc(3 * 2 ** 20, 'x');
    const server = http.createServer((req, res) => {
      const ok = req.headers.authorization === 'Bearer test-token-not-real' && req.url === '/admin/heap-snapshots/sample-app-1.heapsnapshot';
      res.writeHead(ok ? 200 : 401).end(ok ? body : 'no');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const [, , script] = jobManifests({ POD_IP: '127.0.0.1', NAME: 'sample-app-1.heapsnapshot' })
        .find((o) => o.kind === 'Job')!.spec.template.spec.initContainers[0].command as string[];
      fs.mkdirSync(path.join(dir, 'token'));
      fs.mkdirSync(path.join(dir, 'work'));
      fs.writeFileSync(path.join(dir, 'token', 'token'), 'test-token-not-real\n');
      // The container's mounts (/token, /work) are folders under dir here; the port is the stand-in's.
      const local = script.replaceAll('/token/', `${dir}/token/`).replaceAll('/work/', `${dir}/work/`).replace(':9464/', `:${port}/`);
      const code = await new Promise<number | null>((resolve) => spawn(process.execPath, ['-e', local], { stdio: 'inherit' }).on('exit', resolve));
      assert.equal(code, 0);
      assert.ok(fs.readFileSync(path.join(dir, 'work', 'sample-app-1.heapsnapshot')).equals(body));
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
