/**
 * No Node.js inspector anywhere, no port 9229 in any object: an open
 * inspector is remote code execution. Containers are searched whole (ports, probes, command,
 * args, env such as NODE_OPTIONS, lifecycle hooks); every other object for port fields set to
 * 9229 and host:9229 addresses (a Service, a NetworkPolicy, a scrape target).
 */
import { K8sObject, PathSegment, podTemplateOf, containersOf } from './k8s-object';
import { PolicyRule, PolicyViolation, violation } from './k8s-policy-types';

export const INSPECTOR_PORT = 9229;
const INSPECT_FLAG = /--inspect(-brk|-port|-wait|-publish-uid)?\b/;
const PORT_IN_TEXT = new RegExp(`(^|[^0-9])${INSPECTOR_PORT}([^0-9]|$)`);
const HOST_PORT_IN_TEXT = new RegExp(`:${INSPECTOR_PORT}([^0-9]|$)`);
const PORT_KEY = /port$/i;

export function checkInspector(obj: K8sObject): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  const inContainers = new Set<unknown>();
  const t = podTemplateOf(obj);
  if (t) {
    for (const ref of containersOf(t)) {
      inContainers.add(ref.container);
      walk(ref.container, [...ref.path], (path, v) => {
        if (typeof v === 'string' && INSPECT_FLAG.test(v)) {
          out.push(violation(PolicyRule.NO_INSPECTOR, obj, path, `container '${ref.container.name}' enables the inspector: ${JSON.stringify(v)}`));
        } else if (isInspectorPort(path, v) || (typeof v === 'string' && PORT_IN_TEXT.test(v))) {
          out.push(violation(PolicyRule.NO_INSPECTOR, obj, path, `container '${ref.container.name}' mentions the inspector port ${INSPECTOR_PORT}: ${JSON.stringify(v)}`));
        }
      });
    }
  }
  walk(obj, [], (path, v) => {
    if (isInspectorPort(path, v) || (typeof v === 'string' && HOST_PORT_IN_TEXT.test(v))) {
      out.push(violation(PolicyRule.NO_INSPECTOR, obj, path, `uses the inspector port ${INSPECTOR_PORT}: ${JSON.stringify(v)}`));
    }
  }, inContainers);
  return out;
}

/** A field named *port (containerPort, targetPort, port) set to 9229 as a number or string. */
function isInspectorPort(path: readonly PathSegment[], v: unknown): boolean {
  const key = path[path.length - 1];
  return typeof key === 'string' && PORT_KEY.test(key) && (v === INSPECTOR_PORT || v === String(INSPECTOR_PORT));
}

/** Calls `visit` on every leaf value, skipping subtrees in `skip` (already searched). */
function walk(value: unknown, path: PathSegment[], visit: (path: PathSegment[], v: unknown) => void, skip?: Set<unknown>): void {
  if (skip?.has(value)) return;
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i], visit, skip));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k], visit, skip);
  else visit(path, value);
}
