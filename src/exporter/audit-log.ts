/**
 * One JSON line per admin request: who asked for what and what happened. Never the token or
 * any header: only method, path (truncated), status, outcome, remote address and duration.
 */
export interface AuditEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly outcome: string;
  readonly remote?: string;
  readonly durationMs: number;
  readonly snapshot?: string;
  readonly profile?: string;
}

export type AuditSink = (line: string) => void;

export function auditLine(entry: AuditEntry, now = new Date()): string {
  return JSON.stringify({
    ts: now.toISOString(),
    event: 'admin-request',
    method: entry.method.slice(0, 16),
    path: entry.path.slice(0, 256),
    status: entry.status,
    outcome: entry.outcome,
    remote: entry.remote,
    durationMs: Math.round(entry.durationMs * 10) / 10,
    snapshot: entry.snapshot,
    profile: entry.profile,
  });
}
