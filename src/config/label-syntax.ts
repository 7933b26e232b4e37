/**
 * Kubernetes label syntax, for the label maps heapwatch takes (operator.labels, a PodMonitor's pod
 * selector): a bad key or value is refused by the API server at apply time, long after synth.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */
import { show } from './show';

export const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
export const LABEL_VALUE_RULE = 'must be a Kubernetes label value: at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_NAME_RULE = 'must be a Kubernetes label name: an optional DNS-subdomain prefix and "/", then at most 63 letters, digits, "-", "_" and "."';

/** Problems of a map of label names to values given as `field`: each bad key and each bad value. */
export function labelMapProblems(field: string, labels: Readonly<Record<string, unknown>>): string[] {
  const p: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (!(key.length <= 316 && LABEL_NAME.test(key))) p.push(`'${field}' key (${show(key)}) ${LABEL_NAME_RULE}`);
    if (!(typeof value === 'string' && LABEL_VALUE.test(value))) p.push(`'${field}.${key}' (${show(value)}) ${LABEL_VALUE_RULE}`);
  }
  return p;
}
