import { k8s } from 'cdk8s-plus-27';

/** An HTTP GET probe on a named port. */
export function httpProbe(path: string, port: string | number, opts: Partial<k8s.Probe> = {}): k8s.Probe {
  return {
    httpGet: { path, port: typeof port === 'number' ? k8s.IntOrString.fromNumber(port) : k8s.IntOrString.fromString(port) },
    periodSeconds: 10,
    timeoutSeconds: 5,
    failureThreshold: 3,
    ...opts,
  };
}
