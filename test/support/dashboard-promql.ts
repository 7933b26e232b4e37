/**
 * Test helpers for the dashboard's PromQL: the real promtool parses the queries, and a small
 * tokenizer lists the metric names a query reads, for the allow-list check.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool, ToolResult } from './tools';

/**
 * Writes `exprs` as recording rules into a temporary rule file and runs `promtool check rules`
 * on it. Throws (never skips) when promtool is not installed.
 */
export function promtoolCheckExprs(exprs: readonly string[]): ToolResult {
  const rules = exprs.map((expr, i) => ({ record: `heapwatch_dashboard_query_${i}`, expr }));
  return runPromtool(['check', 'rules'], 'dashboard-queries.yaml', { groups: [{ name: 'dashboard-queries', rules }] });
}

/** Writes `content` as JSON (valid YAML, every string safely quoted) and runs promtool on it. */
function runPromtool(args: string[], fileName: string, content: object): ToolResult {
  const dir = mkdtempSync(join(tmpdir(), 'heapwatch-dashboard-'));
  try {
    const file = join(dir, fileName);
    writeFileSync(file, JSON.stringify(content, null, 2));
    return runTool('promtool', [...args, file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** PromQL words that look like identifiers but are not metric names. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);

/**
 * The metric names an expression reads. Strings, label matchers, ranges and grouping label
 * lists are removed first; what is left that is an identifier, and not a function call or a
 * keyword, is a metric name.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = m[0];
    const after = stripped.slice((m.index ?? 0) + word.length);
    if (/^\s*\(/.test(after)) continue; // a function or aggregation call
    if (KEYWORDS.has(word.toLowerCase())) continue;
    // Part of a number such as 1e3 or a duration left outside brackets (offset 5m).
    const before = stripped[(m.index ?? 0) - 1];
    if (before !== undefined && /[0-9.]/.test(before)) continue;
    names.add(word);
  }
  return [...names].sort();
}

/**
 * Runs `promtool test rules` on a unit-test file (given as an object, written as JSON, which
 * is YAML). Used to evaluate dashboard queries on synthetic series with Prometheus's own engine.
 */
export function promtoolTestRules(testFile: object): ToolResult {
  return runPromtool(['test', 'rules'], 'dashboard-queries.test.yaml', testFile);
}
