/**
 * The sample app the default chart watches: the official Node.js image running a tiny HTTP
 * server, in a namespace of its own, so `kubectl apply -f dist/` shows heapwatch working before
 * you point it at your own app.
 */
import { DEFAULT_CONFIG, HeapwatchConfigInput } from '../src/config';

export const SAMPLE_APP_COMMAND = [
  'node',
  '-e',
  "require('http').createServer((req, res) => res.end('ok\\n')).listen(Number(process.env.PORT || 3000))",
];

/** The sample's namespace, created by the default chart (never `default`, which linters rightly flag). */
export const SAMPLE_APP_NAMESPACE = 'heapwatch-sample';

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The app is the sample when it runs the default image with no command of its own. Anything else
 * is the user's app: its image keeps its own entrypoint and its namespace is the config's.
 */
export function isSampleApp(input: HeapwatchConfigInput): boolean {
  const app: unknown = input.app ?? {};
  return isPlainObject(app) && app.command === undefined && (app.image ?? DEFAULT_CONFIG.app.image) === DEFAULT_CONFIG.app.image;
}

/** The input with the sample's command and (unless one is set) its namespace; other apps are left as they are. */
export function withSampleApp(input: HeapwatchConfigInput): HeapwatchConfigInput {
  if (!isSampleApp(input)) return input;
  return { ...input, app: { namespace: SAMPLE_APP_NAMESPACE, ...input.app, command: SAMPLE_APP_COMMAND } };
}
