/**
 * `heapwatch fetch snapshot|profile`: its options, defaults from the config's defaults (the
 * sidecar port, the token Secret), and the usage text. The namespace has no heapwatch default:
 * every app has its own (the sample's is heapwatch-sample), so without --namespace kubectl picks
 * it as it does for any command, from the current kubeconfig context.
 */
import { DEFAULT_CONFIG } from '../config/defaults';
import { readOptions, UsageError, wholeNumber } from './options';

export type FetchKind = 'snapshot' | 'profile';

export interface FetchCommand {
  readonly kind: 'fetch';
  readonly what: FetchKind;
  /** The app's namespace. @default - kubectl's: the current kubeconfig context's namespace */
  readonly namespace?: string;
  /** `deploy/NAME` or `pod/NAME`: what kubectl port-forwards to. */
  readonly target: string;
  readonly port: number;
  readonly secretName: string;
  readonly secretKey: string;
  /** Where the file goes. */
  readonly outDir: string;
  /** Download this existing file instead of taking a new one. */
  readonly name?: string;
}

const snapshots = DEFAULT_CONFIG.exporter.snapshots;

export const FETCH_USAGE = `  heapwatch fetch snapshot|profile (--deployment NAME | --pod NAME) [options]
      take a heap snapshot or allocation profile through the sidecar's admin API and download
      it (kubectl port-forward, the token from its Secret); prints the file's path

fetch options:
  --namespace NS     the app's namespace (default: your kubectl context's namespace)
  --deployment NAME  any pod of the Deployment; --pod NAME for one pod of several replicas
  --port N           the sidecar's port (default ${DEFAULT_CONFIG.exporter.port})
  --secret NAME      the token Secret (default ${snapshots.tokenSecretName}), --secret-key KEY (default ${snapshots.tokenSecretKey})
  --name FILE        download this existing file (from the list) instead of taking a new one
  --out DIR          where to write it (default .)`;

const KINDS: readonly FetchKind[] = ['snapshot', 'profile'];
/** Kubernetes object names (RFC 1123 labels and subdomains). */
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$/;

export function parseFetchArgs(argv: readonly string[]): FetchCommand {
  const problems: string[] = [];
  const o = readOptions(argv, {
    '--namespace': 'NS', '--deployment': 'NAME', '--pod': 'NAME', '--port': 'N', '--secret': 'NAME', '--secret-key': 'KEY', '--name': 'FILE', '--out': 'DIR',
  }, [], problems);
  const [what, ...extra] = o.positional;
  if (what === undefined) problems.push('fetch needs what to take: snapshot or profile');
  else if (!KINDS.includes(what as FetchKind)) problems.push(`fetch ${JSON.stringify(what)}: allowed: snapshot, profile`);
  if (extra.length > 0) problems.push(`fetch takes one of snapshot or profile, then options; unexpected: ${extra.join(' ')}`);
  const k8sName = (option: string, fallback?: string) => {
    const v = o.values.get(option) ?? fallback;
    if (v !== undefined && !K8S_NAME.test(v)) problems.push(`${option} (${JSON.stringify(v)}) must be a Kubernetes name: lower-case letters, digits, "-" and "."`);
    return v;
  };
  const namespace = k8sName('--namespace');
  const deployment = k8sName('--deployment');
  const pod = k8sName('--pod');
  const secretName = k8sName('--secret', snapshots.tokenSecretName)!;
  const secretKey = o.values.get('--secret-key') ?? snapshots.tokenSecretKey;
  if (!/^[-._a-zA-Z0-9]+$/.test(secretKey)) problems.push(`--secret-key (${JSON.stringify(secretKey)}) must be a Secret key: letters, digits, "-", "_" and "."`);
  if ((deployment === undefined) === (pod === undefined)) problems.push('fetch needs exactly one of --deployment NAME or --pod NAME');
  const port = wholeNumber(o, '--port', 1, 65535, DEFAULT_CONFIG.exporter.port, problems);
  const name = o.values.get('--name');
  if (name !== undefined && !FILE_NAME.test(name)) problems.push(`--name (${JSON.stringify(name)}) must be a file name from the list: letters, digits, ".", "_" and "-"`);
  if (problems.length > 0) throw new UsageError(problems);
  return {
    kind: 'fetch',
    what: what as FetchKind,
    namespace,
    target: deployment !== undefined ? `deploy/${deployment}` : `pod/${pod}`,
    port,
    secretName,
    secretKey,
    outDir: o.values.get('--out') ?? '.',
    name,
  };
}
