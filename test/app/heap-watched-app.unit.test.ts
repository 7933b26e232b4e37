import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Testing } from 'cdk8s';
import { defaultManifests } from '../../charts/default-app';
import { HeapWatchedApp, shippedCode } from '../../src/app';
import { parseQuantity, resolveConfig } from '../../src/config';
import { AGENT_ENV, DISCOVERY, EXPORTER_ENV } from '../../src/contract';
import { container, envValue, find } from '../support/manifests';
import { assertPropsError } from '../support/props-error';

function appDeployment(input = {}) {
  const chart = Testing.chart();
  new HeapWatchedApp(chart, 'App', { config: resolveConfig(input) });
  const objects = Testing.synth(chart);
  return { objects, deployment: find(objects, 'Deployment', resolveConfig(input).app.name) };
}

const nodeOptionsOf = (d: any) => envValue(container(d, 'app'), 'NODE_OPTIONS')!;

describe('HeapWatchedApp', () => {
  it('derives --max-old-space-size from the memory limit (75 % by default)', () => {
    const { deployment } = appDeployment({ app: { resources: { memoryLimit: '2Gi', memoryRequest: '2Gi' } } });
    assert.match(nodeOptionsOf(deployment), /--max-old-space-size=1536(\s|$)/);
    const half = appDeployment({ app: { resources: { memoryLimit: '1000Mi', memoryRequest: '500Mi' } }, heap: { oldSpaceLimitRatio: 0.5 } });
    assert.match(nodeOptionsOf(half.deployment), /--max-old-space-size=500(\s|$)/);
    assert.match(nodeOptionsOf(half.deployment), /--max-semi-space-size=8(\s|$)/);
    assert.equal(container(half.deployment, 'app').resources.limits.memory, '1000Mi');
  });

  it('keeps the user NODE_OPTIONS first and adds the agent and heap flags once', () => {
    const { deployment } = appDeployment({ app: { nodeOptions: '--enable-source-maps --trace-warnings', exposeGc: true } });
    assert.equal(nodeOptionsOf(deployment),
      '--enable-source-maps --trace-warnings --require /opt/heapwatch/heapwatch-agent.js --max-old-space-size=768 --max-semi-space-size=16 --expose-gc');
  });

  it('does not load the agent when the sidecar scrapes the app instead', () => {
    const { deployment } = appDeployment({ exporter: { source: 'scrape' as any } });
    assert.doesNotMatch(nodeOptionsOf(deployment), /--require/);
    assert.equal(deployment.spec.template.spec.initContainers, undefined);
    assert.equal(container(deployment, 'app').livenessProbe.tcpSocket.port, 'http');
    assert.equal(envValue(container(deployment, 'heapwatch-exporter'), EXPORTER_ENV.scrapeUrl), 'http://127.0.0.1:3000/metrics');
  });

  it('with image delivery, copies the agent from the image into the shared volume before the app starts', () => {
    const image = 'registry.example.test/heapwatch-exporter:0.1.0';
    const { deployment } = appDeployment({ exporter: { delivery: 'image' as any, image } });
    const init = container(deployment, 'heapwatch-agent-init');
    assert.equal(init.image, image);
    assert.match(init.command.join(' '), /copyFileSync\("\/opt\/heapwatch\/heapwatch-agent\.js", "\/heapwatch\/heapwatch-agent\.js"\)/);
    assert.ok(init.volumeMounts.some((m: any) => m.mountPath === '/heapwatch'));
    assert.ok(container(deployment, 'app').volumeMounts.some((m: any) => m.mountPath === '/heapwatch'));
    assert.match(nodeOptionsOf(deployment), /^--require \/heapwatch\/heapwatch-agent\.js /);
  });

  it('points every probe at a port the container declares', () => {
    const { deployment } = appDeployment();
    for (const c of deployment.spec.template.spec.containers) {
      const declared = new Set(c.ports.flatMap((p: any) => [p.name, p.containerPort]));
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        const port = c[probe]?.httpGet?.port ?? c[probe]?.tcpSocket?.port;
        if (port !== undefined) assert.ok(declared.has(port), `${c.name}.${probe} uses ${port}, declared ${[...declared].join(',')}`);
      }
    }
    const app = container(deployment, 'app');
    assert.equal(app.livenessProbe.httpGet.path, '/livez');
    assert.equal(app.ports.find((p: any) => p.name === 'hw-liveness').containerPort, 9465);
  });

  it('passes the heap thresholds from config to the agent', () => {
    const { deployment } = appDeployment({ heap: { highRatio: 0.9, targetRatio: 0.6, streakAlertChecks: 10, livenessFailChecks: 30, checkIntervalSeconds: 5 } });
    const app = container(deployment, 'app');
    assert.equal(envValue(app, AGENT_ENV.highRatio), '0.9');
    assert.equal(envValue(app, AGENT_ENV.streakAlertChecks), '10');
    assert.equal(envValue(app, AGENT_ENV.livenessFailChecks), '30');
    assert.equal(envValue(app, AGENT_ENV.checkIntervalSeconds), '5');
    assert.equal(app.env.find((e: any) => e.name === AGENT_ENV.containerMemoryLimitBytes).valueFrom.resourceFieldRef.resource, 'limits.memory');
  });

  it('gives the sidecar its named discovery port, the token as a file and a size-limited snapshot volume', () => {
    const { deployment } = appDeployment({ exporter: { snapshots: { volumeSizeLimit: '3Gi', tokenSecretName: 'snap-token' } } });
    const sidecar = container(deployment, 'heapwatch-exporter');
    assert.deepEqual(sidecar.ports, [{ name: DISCOVERY.portName, containerPort: 9464 }]);
    assert.equal(envValue(sidecar, EXPORTER_ENV.tokenFile), '/var/run/secrets/heapwatch/token');
    assert.equal(envValue(sidecar, EXPORTER_ENV.snapshotVolumeLimitBytes), String(parseQuantity('3Gi')));
    const volumes = deployment.spec.template.spec.volumes;
    assert.equal(volumes.find((v: any) => v.name === 'heapwatch').emptyDir.sizeLimit, '3Gi');
    assert.equal(volumes.find((v: any) => v.name === 'snapshot-token').secret.secretName, 'snap-token');
    assert.equal(deployment.spec.template.metadata.labels[DISCOVERY.podLabel], DISCOVERY.podLabelValue);
  });

  it('gives the agent the pod name (Downward API), for the liveness spread, in both modes', () => {
    for (const sidecar of [true, false]) {
      const env = container(appDeployment({ exporter: { sidecar } }).deployment, 'app').env.find((e: any) => e.name === AGENT_ENV.podName);
      assert.deepEqual(env.valueFrom, { fieldRef: { fieldPath: 'metadata.name' } }, `sidecar ${sidecar}`);
    }
  });

  it('in lean mode runs no sidecar: the app container carries hw-metrics and the agent serves it', () => {
    const { objects, deployment } = appDeployment({ exporter: { sidecar: false, port: 9470 } });
    const spec = deployment.spec.template.spec;
    assert.deepEqual(spec.containers.map((c: any) => c.name), ['app']);
    const app = container(deployment, 'app');
    assert.equal(app.ports.find((p: any) => p.name === DISCOVERY.portName).containerPort, 9470);
    assert.equal(envValue(app, AGENT_ENV.metricsPort), '9470');
    assert.equal(app.livenessProbe.httpGet.path, '/livez');
    assert.deepEqual(spec.volumes.map((v: any) => v.name).sort(), ['heapwatch', 'heapwatch-agent-code', 'tmp']);
    const maps = objects.filter((o: any) => o.kind === 'ConfigMap').map((o: any) => o.metadata.name);
    assert.equal(maps.length, 1, 'only the agent ConfigMap');
    assert.match(maps[0], /^sample-app-heapwatch-agent-[0-9a-f]{8}$/);
    assert.deepEqual(Object.keys(deployment.spec.template.metadata.annotations), ['heapwatch.dev/agent-sha256']);
    const policy = find(objects, 'NetworkPolicy', 'sample-app');
    const scrape = policy.spec.ingress.find((r: any) => r.from !== undefined);
    assert.deepEqual(scrape.ports, [{ port: 9470, protocol: 'TCP' }], 'Prometheus reaches the agent on the app container');
    const withSidecar = appDeployment().deployment;
    assert.equal(envValue(container(withSidecar, 'app'), AGENT_ENV.metricsPort), undefined, 'with the sidecar the agent serves no /metrics');
    assert.ok(!container(withSidecar, 'app').ports.some((p: any) => p.name === DISCOVERY.portName));
  });

  it('runs the pod as runAsUser, 1000 by default', () => {
    assert.equal(appDeployment().deployment.spec.template.spec.securityContext.runAsUser, 1000);
    const chart = Testing.chart();
    new HeapWatchedApp(chart, 'App', { config: resolveConfig(), runAsUser: 10001 });
    const pod = find(Testing.synth(chart), 'Deployment', 'sample-app').spec.template.spec.securityContext;
    assert.deepEqual([pod.runAsUser, pod.runAsGroup, pod.fsGroup, pod.runAsNonRoot], [10001, 10001, 10001, true]);
  });

  for (const [what, uid] of [['root', 0], ['negative', -1], ['fractional', 1.5], ['beyond 2^31 - 1', 2 ** 31], ['a string', '1000']] as const) {
    it(`fails if runAsUser is ${what}, naming the prop and the value`, () => {
      assertPropsError(() => new HeapWatchedApp(Testing.chart(), 'App', { config: resolveConfig(), runAsUser: uid as number }), 'HeapWatchedApp',
        [new RegExp(`^'runAsUser' \\(${JSON.stringify(uid).replace(/[.]/g, '\\.')}\\) must be a whole number from 1 to 2147483647`)]);
    });
  }

  it('never opens the inspector port', () => {
    // The shipped code is searched for the flag only: the agent names 9229 to refuse it as its
    // liveness port, and test/agent/streak.test.ts runs it and checks nothing listens there.
    const code = shippedCode();
    const manifests = defaultManifests({ app: { exposeGc: true } }).map((m: any) => m.kind !== 'ConfigMap' || !m.metadata.name.startsWith('sample-app-heapwatch-') ? m
      : { ...m, data: m.data && Object.fromEntries(Object.keys(m.data).map((k) => [k, '<the agent>'])), binaryData: m.binaryData && '<the sidecar>' });
    assert.doesNotMatch(JSON.stringify(manifests), /9229|--inspect/);
    assert.doesNotMatch(code.agent.toString('utf8'), /--inspect/);
    assert.doesNotMatch(code.exporter.toString('utf8'), /--inspect/);
  });
});
