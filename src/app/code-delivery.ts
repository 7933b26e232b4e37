/**
 * How heapwatch's own code reaches the watched pod (exporter.delivery), and what the pod
 * needs for it: volumes, mounts, the sidecar's command, an init container, annotations.
 *
 * 'configmap' (the default): the bundles (in lean mode, exporter.sidecar false, only the
 * agent's) travel in dist/ as ConfigMaps in the app's namespace and run on the official Node.js image. The app container mounts only the agent,
 * read-only; the sidecar mounts only its own code, read-only, and its command unpacks it in
 * memory. Nothing is copied or written, so the code that runs is exactly dist/'s bytes.
 * The ConfigMaps are named by a hash of their content and immutable, as kustomize's
 * configMapGenerator makes them: new code is new ConfigMaps and a new pod template, so a pod
 * never sees a mix of two versions, and `kubectl rollout undo` gets the old code back with the
 * old template (README, "New code, rollbacks and old ConfigMaps").
 *
 * 'image': the code is in an image built from src/exporter/Dockerfile; an init container
 * copies the agent into the shared volume, where the app's NODE_OPTIONS --require's it.
 */
import { createHash } from 'node:crypto';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ExporterDelivery, MetricsSource, ResolvedConfig } from '../config';
import { AGENT_FILE, AGENT_SOURCE_IN_IMAGE, CODE_DIR, CONTAINERS, EXPORTER_FILE, EXPORTER_NODE_FLAGS, SHARED_DIR } from '../contract';
import { containerSecurity } from '../k8s/pod-security';
import { resourceRequirements } from '../k8s/resources';
import { gzipStable, sha256, shippedCode } from './shipped-code';

/**
 * The largest part of the gzipped sidecar one ConfigMap holds. `kubectl apply` (client-side)
 * copies the whole object, base64 included, into its last-applied-configuration annotation,
 * and an object's annotations may total 256 KiB (262144 bytes): 180 KiB is 240 KiB of base64,
 * leaving 16 KiB for the rest. (The API server's own limit, 1 MiB per ConfigMap, is further off.)
 */
export const MAX_PART_BYTES = 180 * 1024;

/** Pod-template annotations with the sha256 of the code the pod runs; a new bundle rolls the pods. */
export const CODE_ANNOTATIONS = { agent: 'heapwatch.dev/agent-sha256', exporter: 'heapwatch.dev/exporter-sha256' } as const;

/** The label on every code ConfigMap (value: agent or exporter), to find the old ones to prune. */
export const CODE_LABEL = 'heapwatch.dev/code';

/**
 * The first 8 hex digits of the sha256 of a code ConfigMap set's content, every key and its bytes
 * in order: the same code in the same parts is the same name, anything else another name (so an
 * immutable ConfigMap is never asked to change).
 */
export function contentHash(entries: readonly (readonly [string, Buffer])[]): string {
  const h = createHash('sha256');
  for (const [key, bytes] of entries) h.update(`${key}\0${bytes.length}\0`).update(bytes);
  return h.digest('hex').slice(0, 8);
}

/**
 * The sidecar's program in configmap delivery (`node -e`), given the file name to run as and
 * the gzip parts in order: gunzips them in memory and runs the result as the CommonJS module
 * CODE_DIR/EXPORTER_FILE, so __filename, require() of built-ins, stack traces and
 * process.argv are as if that file were on disk. A part that changed under a running pod
 * fails gunzip's CRC check instead of running a mix of two versions.
 */
export const EXPORTER_LOADER = [
  "const fs = require('node:fs'), path = require('node:path'), vm = require('node:vm'), zlib = require('node:zlib');",
  'const [file, ...parts] = process.argv.splice(1);',
  'process.argv.push(file);',
  "const code = zlib.gunzipSync(Buffer.concat(parts.map((p) => fs.readFileSync(p)))).toString('utf8');",
  "const module = { exports: {}, id: '.', filename: file, loaded: false, children: [], paths: [] };",
  "vm.compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file })",
  "  .call(module.exports, module.exports, require('node:module').createRequire(file), module, file, path.dirname(file));",
].join('\n');

export interface PodCode {
  readonly appMounts: k8s.VolumeMount[];
  readonly exporterCommand: string[];
  readonly exporterMounts: k8s.VolumeMount[];
  readonly volumes: k8s.Volume[];
  readonly initContainers: k8s.Container[];
  readonly annotations: Record<string, string>;
}

/** The in-pod path the app's NODE_OPTIONS --require's. */
export function agentPath(c: ResolvedConfig): string {
  return c.exporter.delivery === ExporterDelivery.IMAGE ? `${SHARED_DIR}/${AGENT_FILE}` : `${CODE_DIR}/${AGENT_FILE}`;
}

/** The ConfigMap keys of the gzipped sidecar's parts, in order. */
export const exporterPartKey = (i: number) => `${EXPORTER_FILE}.gz.${i}`;

/**
 * The pod's code for the config's delivery. For 'configmap', adds the ConfigMaps to `scope`:
 * `<app>-heapwatch-agent-<hash>` and `<app>-heapwatch-exporter-<hash>-<n>` (contentHash).
 */
export function podCode(scope: Construct, c: ResolvedConfig, pod: { readonly labels: Record<string, string>; readonly sharedMount: k8s.VolumeMount }): PodCode {
  return c.exporter.delivery === ExporterDelivery.IMAGE ? imageCode(c, pod.sharedMount) : configMapCode(scope, c, pod.labels);
}

function configMapCode(scope: Construct, c: ResolvedConfig, labels: Record<string, string>): PodCode {
  const withAgent = c.exporter.source === MetricsSource.AGENT;
  const code = shippedCode();
  const metadata = (name: string, of: 'agent' | 'exporter') => ({ name: `${c.app.name}-${name}`, namespace: c.app.namespace, labels: { ...labels, [CODE_LABEL]: of } });
  const readOnlyFiles = 0o444;

  // Lean mode (exporter.sidecar false) runs no sidecar: only the agent's ConfigMap.
  const parts = c.exporter.sidecar ? splitEvenly(gzipped(code.exporter), MAX_PART_BYTES) : [];
  const partsHash = contentHash(parts.map((part, i) => [exporterPartKey(i), part]));
  const partMaps = parts.map((part, i) => new k8s.KubeConfigMap(scope, `ExporterCode${i}`, {
    metadata: metadata(`heapwatch-exporter-${partsHash}-${i}`, 'exporter'),
    immutable: true,
    binaryData: { [exporterPartKey(i)]: part.toString('base64') },
  }));
  const volumes: k8s.Volume[] = c.exporter.sidecar ? [{
    name: 'heapwatch-exporter-code',
    projected: {
      defaultMode: readOnlyFiles,
      sources: partMaps.map((m, i) => ({ configMap: { name: m.name, items: [{ key: exporterPartKey(i), path: exporterPartKey(i) }] } })),
    },
  }] : [];
  const annotations: Record<string, string> = c.exporter.sidecar ? { [CODE_ANNOTATIONS.exporter]: sha256(code.exporter) } : {};

  if (withAgent) {
    const agentMap = new k8s.KubeConfigMap(scope, 'AgentCode', {
      metadata: metadata(`heapwatch-agent-${contentHash([[AGENT_FILE, code.agent]])}`, 'agent'),
      immutable: true,
      data: { [AGENT_FILE]: code.agent.toString('utf8') },
    });
    volumes.push({ name: 'heapwatch-agent-code', configMap: { name: agentMap.name, defaultMode: readOnlyFiles, items: [{ key: AGENT_FILE, path: AGENT_FILE }] } });
    annotations[CODE_ANNOTATIONS.agent] = sha256(code.agent);
  }

  return {
    appMounts: withAgent ? [{ name: 'heapwatch-agent-code', mountPath: CODE_DIR, readOnly: true }] : [],
    exporterCommand: ['node', ...EXPORTER_NODE_FLAGS, '-e', EXPORTER_LOADER, '--', `${CODE_DIR}/${EXPORTER_FILE}`, ...parts.map((_, i) => `${CODE_DIR}/${exporterPartKey(i)}`)],
    exporterMounts: [{ name: 'heapwatch-exporter-code', mountPath: CODE_DIR, readOnly: true }],
    volumes,
    initContainers: [],
    annotations,
  };
}

const gzips = new WeakMap<Buffer, Buffer>();
/** The bundle's stable gzip, made once per process however many apps ship it (40 ms for 1 MB). */
function gzipped(bytes: Buffer): Buffer {
  let gz = gzips.get(bytes);
  if (!gz) gzips.set(bytes, (gz = gzipStable(bytes)));
  return gz;
}

/** The init container's job in image delivery: put the agent where NODE_OPTIONS can --require it. */
const COPY_AGENT = `require('fs').copyFileSync(${JSON.stringify(AGENT_SOURCE_IN_IMAGE)}, ${JSON.stringify(`${SHARED_DIR}/${AGENT_FILE}`)})`;

function imageCode(c: ResolvedConfig, sharedMount: k8s.VolumeMount): PodCode {
  const withAgent = c.exporter.source === MetricsSource.AGENT;
  return {
    appMounts: [],
    exporterCommand: ['node', ...EXPORTER_NODE_FLAGS, `${CODE_DIR}/${EXPORTER_FILE}`],
    exporterMounts: [],
    volumes: [],
    initContainers: withAgent ? [{
      name: CONTAINERS.agentInit,
      image: c.exporter.image,
      command: ['node', '-e', COPY_AGENT],
      resources: resourceRequirements({ cpuRequest: '10m', cpuLimit: '100m', memoryRequest: '32Mi', memoryLimit: '64Mi' }),
      securityContext: containerSecurity(),
      volumeMounts: [sharedMount],
    }] : [],
    annotations: {},
  };
}

/** `bytes` in as few parts of at most `max` bytes as possible, of (nearly) equal size. */
export function splitEvenly(bytes: Buffer, max: number): Buffer[] {
  const n = Math.max(1, Math.ceil(bytes.length / max));
  const size = Math.ceil(bytes.length / n);
  return Array.from({ length: n }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
}
