/**
 * The pinned Grafana must read the dashboard's schema as written. Grafana cannot run here, so
 * this pins the two facts the README's "Grafana's version" rests on: the schemaVersion the
 * Grafana foundation SDK stamps, and the Grafana release that reads it (DASHBOARD_SCHEMA_VERSION
 * in Grafana's DashboardMigrator.ts is 42 from 12.3 on, and 42 is the v1 API's last).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CONFIG, resolveConfig } from '../../src/config';
import { MEMORY_DASHBOARD_FILE, renderDashboards } from '../../src/dashboard';

const READS_SCHEMA_42_FROM = [12, 3] as const;

describe("Grafana's version", () => {
  it('reads the schemaVersion the dashboard is written with', () => {
    const { schemaVersion } = JSON.parse(renderDashboards(resolveConfig())[MEMORY_DASHBOARD_FILE]);
    assert.ok(Number.isInteger(schemaVersion) && schemaVersion <= 42,
      `the dashboard's schemaVersion ${schemaVersion} is past 42: find the Grafana release that reads it, pin it, and update the README`);
    const tag = /:(\d+)\.(\d+)\.(\d+)$/.exec(DEFAULT_CONFIG.grafana.image);
    assert.ok(tag, `grafana.image ${DEFAULT_CONFIG.grafana.image} carries a semantic version tag`);
    const [major, minor] = [Number(tag[1]), Number(tag[2])];
    assert.ok(major > READS_SCHEMA_42_FROM[0] || (major === READS_SCHEMA_42_FROM[0] && minor >= READS_SCHEMA_42_FROM[1]),
      `Grafana ${major}.${minor} predates dashboard schema 42 (Grafana 12.3)`);
  });
});
