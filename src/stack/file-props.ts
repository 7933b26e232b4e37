/**
 * Checks of the file maps the stack's constructs take (`ruleFiles`, `dashboards`). Each name must
 * be a ConfigMap key ending in what its reader loads (Prometheus reads rules/*.yaml, Grafana's file
 * provider *.json) and each text must parse, so a mistake fails at synth instead of leaving
 * Prometheus without rules or Grafana without a dashboard, silently.
 */
import { parse } from 'yaml';
import { show } from '../config/show';

/** A ConfigMap data key. @see https://kubernetes.io/docs/concepts/configuration/configmap/ */
const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/** Problems of a `ruleFiles` prop: names ending in .yaml, each a Prometheus rule file with a `groups` list. */
export function ruleFileProblems(prop: string, files: unknown): string[] {
  return fileProblems(prop, files, '.yaml', 'YAML text', (text) => {
    const doc: unknown = parse(text);
    return Array.isArray((doc as { groups?: unknown } | null)?.groups) ? undefined : 'must be a Prometheus rule file: YAML with a top-level "groups" list';
  });
}

/** Problems of a `dashboards` prop: names ending in .json, each a JSON object (a Grafana dashboard model). */
export function dashboardProblems(prop: string, files: unknown): string[] {
  return fileProblems(prop, files, '.json', 'JSON text', (text) => {
    const doc: unknown = JSON.parse(text);
    return typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? undefined : 'must be a Grafana dashboard: a JSON object';
  });
}

function fileProblems(prop: string, files: unknown, ext: string, kind: string, contentProblem: (text: string) => string | undefined): string[] {
  if (files === undefined) return [];
  if (typeof files !== 'object' || files === null || Array.isArray(files)) return [`'${prop}' (${show(files)}) must be an object of file name -> ${kind}`];
  const problems: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const field = `${prop}[${show(name)}]`;
    if (!CONFIGMAP_KEY.test(name) || !name.endsWith(ext)) {
      problems.push(`'${prop}' has a file name (${show(name)}) that must end in "${ext}" and hold only letters, digits, "-", "_" and "." ` +
        '(a ConfigMap key, at most 253 characters)');
    }
    if (typeof text !== 'string') {
      problems.push(`'${field}' (${show(text)}) must be ${kind}`);
      continue;
    }
    let why: string | undefined;
    try {
      why = contentProblem(text);
    } catch (e) {
      why = `must be ${kind}, but does not parse: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`;
    }
    if (why) problems.push(`'${field}' (${show(text.length > 40 ? `${text.slice(0, 40)}…` : text)}) ${why}`);
  }
  return problems;
}
