/**
 * Reading what cdk8s synthesized (the YAML files in an outdir) the way a kubelet would:
 * workloads, their containers, the files their volumes mount, their environment (with the
 * Downward API resolved) and their probes. The local pipeline runs from these, never from
 * the config directly, so what runs is what `kubectl apply -f dist/` would run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseQuantity } from '../../src/config';

export type Manifest = Record<string, any>;

/** Every object in every *.yaml file of `outdir`, in file order. */
export function readManifests(outdir: string): Manifest[] {
  const files = fs.readdirSync(outdir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
  if (files.length === 0) throw new Error(`no *.yaml files in ${outdir}: did synth run?`);
  return files.flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map((d) => d.toJS()).filter((m) => m));
}

/** The workload (Deployment or StatefulSet) that has a container named `container`. */
export function workloadWithContainer(manifests: Manifest[], container: string): Manifest {
  const found = manifests.filter((m) => (m.kind === 'Deployment' || m.kind === 'StatefulSet') &&
    m.spec.template.spec.containers.some((c: Manifest) => c.name === container));
  if (found.length !== 1) {
    throw new Error(`expected one workload with a container named '${container}', found ${found.length}: ` +
      manifests.filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet').map((m) => `${m.kind}/${m.metadata.name}`).join(', '));
  }
  return found[0];
}

/** The workload whose pod template carries label `key` = `value`. */
export function workloadWithPodLabel(manifests: Manifest[], key: string, value: string): Manifest {
  const found = manifests.filter((m) => (m.kind === 'Deployment' || m.kind === 'StatefulSet') && m.spec.template.metadata?.labels?.[key] === value);
  if (found.length !== 1) throw new Error(`expected one workload whose pods are labelled ${key}=${value}, found ${found.length}`);
  return found[0];
}

export function containerOf(workload: Manifest, name: string): Manifest {
  const c = workload.spec.template.spec.containers.find((x: Manifest) => x.name === name);
  if (!c) throw new Error(`${workload.kind}/${workload.metadata.name} has no container '${name}'`);
  return c;
}

/** One volume mount of a container and the files it would show, when the manifests hold them. */
export interface Mount {
  readonly mountPath: string;
  readonly volume: string;
  readonly kind: 'configMap' | 'secret' | 'emptyDir' | 'other';
  /** File name -> content, for ConfigMaps (from the manifests) ; secrets are created by the user, so absent here. */
  readonly files?: Record<string, string>;
  /** File name -> bytes, for ConfigMaps' binaryData (base64-decoded, as the kubelet writes them). */
  readonly binaryFiles?: Record<string, Buffer>;
  /** For secrets: the keys the volume projects (items), the files the user's Secret must provide. */
  readonly secretKeys?: readonly string[];
}

export function mountsOf(manifests: Manifest[], workload: Manifest, container: Manifest): Mount[] {
  const ns = workload.metadata.namespace;
  const volumes: Manifest[] = workload.spec.template.spec.volumes ?? [];
  return (container.volumeMounts ?? []).map((vm: Manifest): Mount => {
    const v = volumes.find((x) => x.name === vm.name);
    const claim = (workload.spec.volumeClaimTemplates ?? []).some((t: Manifest) => t.metadata?.name === vm.name);
    if (!v && claim) return { mountPath: vm.mountPath, volume: vm.name, kind: 'other' };
    if (!v) throw new Error(`${workload.metadata.name}/${container.name} mounts volume '${vm.name}', which the pod does not define`);
    const configMapFiles = (ref: Manifest, into: { files: Record<string, string>; binaryFiles: Record<string, Buffer> }) => {
      const cm = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === ref.name && m.metadata.namespace === ns);
      if (!cm) throw new Error(`ConfigMap ${ns}/${ref.name} (volume '${vm.name}' of ${workload.metadata.name}) is not in the manifests`);
      const data: Record<string, string> = cm.data ?? {};
      const binary: Record<string, string> = cm.binaryData ?? {};
      // Only the listed items when the volume names some, as the kubelet projects them.
      const items: Manifest[] = ref.items ?? [...Object.keys(data), ...Object.keys(binary)].map((key) => ({ key, path: key }));
      for (const { key, path: file } of items) {
        if (key in data) into.files[file] = data[key];
        else if (key in binary) into.binaryFiles[file] = Buffer.from(binary[key], 'base64');
        else throw new Error(`ConfigMap ${ns}/${ref.name} has no key '${key}' (volume '${vm.name}' of ${workload.metadata.name})`);
      }
      return into;
    };
    if (v.configMap) return { mountPath: vm.mountPath, volume: vm.name, kind: 'configMap', ...configMapFiles(v.configMap, { files: {}, binaryFiles: {} }) };
    if (v.projected && v.projected.sources.every((src: Manifest) => src.configMap)) {
      const into = { files: {}, binaryFiles: {} };
      for (const src of v.projected.sources) configMapFiles(src.configMap, into);
      return { mountPath: vm.mountPath, volume: vm.name, kind: 'configMap', ...into };
    }
    if (v.secret) return { mountPath: vm.mountPath, volume: vm.name, kind: 'secret', secretKeys: (v.secret.items ?? []).map((i: Manifest) => i.path) };
    if (v.emptyDir) return { mountPath: vm.mountPath, volume: vm.name, kind: 'emptyDir' };
    return { mountPath: vm.mountPath, volume: vm.name, kind: 'other' };
  });
}

/** The value of a named container port. */
export function containerPort(container: Manifest, port: string | number): number {
  if (typeof port === 'number') return port;
  if (/^[0-9]+$/.test(port)) return Number(port);
  const p = (container.ports ?? []).find((x: Manifest) => x.name === port);
  if (!p) throw new Error(`container '${container.name}' has no port named '${port}'`);
  return p.containerPort;
}

/**
 * The container's environment as the kubelet would set it: literal values, and
 * resourceFieldRef (limits.memory etc.) resolved from the pod's containers. Other
 * valueFrom sources are reported, not guessed.
 */
export function envOf(workload: Manifest, container: Manifest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) {
      out[e.name] = String(e.value);
    } else if (e.valueFrom?.resourceFieldRef) {
      const ref = e.valueFrom.resourceFieldRef;
      const target = ref.containerName ? containerOf(workload, ref.containerName) : container;
      const [section, resource] = String(ref.resource).split('.');
      const raw = target.resources?.[section]?.[resource];
      const bytes = raw === undefined ? undefined : parseQuantity(String(raw));
      const divisor = parseQuantity(String(ref.divisor ?? '1'));
      if (bytes === undefined || !divisor) throw new Error(`env ${e.name} of '${container.name}': cannot resolve ${ref.resource} of container '${target.name}' (${raw})`);
      out[e.name] = String(Math.ceil(bytes / divisor));
    } else if (e.valueFrom?.fieldRef) {
      out[e.name] = e.valueFrom.fieldRef.fieldPath === 'status.podIP' ? '127.0.0.1' : '';
    } else {
      throw new Error(`env ${e.name} of '${container.name}': unsupported valueFrom ${JSON.stringify(e.valueFrom)}`);
    }
  }
  return out;
}

/** A probe with the kubelet's defaults filled in (Kubernetes API defaults). */
export interface ProbeSpec {
  readonly path: string;
  /** The container port the probe targets. */
  readonly port: number;
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
}

export function probeOf(container: Manifest, which: 'startupProbe' | 'livenessProbe' | 'readinessProbe'): ProbeSpec | undefined {
  const p = container[which];
  if (!p) return undefined;
  if (!p.httpGet) throw new Error(`${container.name}.${which} is not an httpGet probe; the local prober runs httpGet probes only`);
  return {
    path: p.httpGet.path ?? '/',
    port: containerPort(container, p.httpGet.port),
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
    periodSeconds: p.periodSeconds ?? 10,
    timeoutSeconds: p.timeoutSeconds ?? 1,
    failureThreshold: p.failureThreshold ?? 3,
    successThreshold: p.successThreshold ?? 1,
  };
}

/** The value of `--flag=value` in a container's args, or undefined. */
export function argValue(args: readonly string[], flag: string): string | undefined {
  const a = args.find((x) => x.startsWith(`${flag}=`));
  return a === undefined ? undefined : a.slice(flag.length + 1);
}
