import { createHash } from 'node:crypto';

/**
 * A pod-template annotation whose value changes whenever the given config text changes, so
 * `kubectl apply` rolls the pods instead of leaving them on a stale ConfigMap.
 */
export function checksumAnnotation(...texts: string[]): Record<string, string> {
  const hash = createHash('sha256');
  for (const t of texts) hash.update(t).update('\0');
  return { 'heapwatch.dev/config-checksum': hash.digest('hex').slice(0, 16) };
}
