/**
 * The sidecar's environment: validated at start, every problem named with the variable,
 * the value and what is allowed; the bundled process refuses to start on any of them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exporterEnv } from '../../src/app';
import { DEFAULT_CONFIG, parseDuration, parseQuantity, resolveConfig } from '../../src/config';
import { TOKEN_MOUNT_DIR } from '../../src/contract';
import { EnvError, readSettings } from '../../src/exporter/env';
import { runExporterExpectingFailure } from '../support/exporter-harness';

function problems(env: Record<string, string>): readonly string[] {
  try {
    readSettings(env);
  } catch (e) {
    assert.ok(e instanceof EnvError);
    return e.problems;
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
}

describe('exporter environment', () => {
  it('has the config\'s defaults (src/config/defaults.ts)', () => {
    const e = DEFAULT_CONFIG.exporter;
    assert.deepEqual(readSettings({}), {
      dir: '/heapwatch', port: e.port, source: e.source, scrapeUrl: undefined, checkIntervalSeconds: DEFAULT_CONFIG.heap.checkIntervalSeconds,
      tokenFile: `${TOKEN_MOUNT_DIR}/${e.snapshots.tokenSecretKey}`, snapshotMaxKept: e.snapshots.maxKept,
      snapshotCooldownSeconds: parseDuration(e.snapshots.cooldown), snapshotVolumeLimitBytes: parseQuantity(e.snapshots.volumeSizeLimit),
      containerMemoryLimitBytes: undefined,
    });
  });

  it('reads the env the constructs set for the default config as its own defaults', () => {
    // The Downward API variable (the container's memory limit) has no value outside a pod.
    const env = Object.fromEntries(exporterEnv(resolveConfig()).filter((v) => v.value !== undefined).map((v) => [v.name, v.value]));
    const deployed = readSettings(env);
    assert.match(String(deployed.scrapeUrl), /^http:\/\/127\.0\.0\.1:\d+\/metrics$/, 'always set, used only with source "scrape"');
    assert.deepEqual({ ...deployed, scrapeUrl: undefined }, readSettings({}));
  });

  const cases: [Record<string, string>, string, string, RegExp][] = [
    [{ HEAPWATCH_PORT: '70000' }, 'HEAPWATCH_PORT', '"70000"', /integer from 0 to 65535/],
    [{ HEAPWATCH_PORT: '9464abc' }, 'HEAPWATCH_PORT', '"9464abc"', /integer/],
    [{ HEAPWATCH_SOURCE: 'prometheus' }, 'HEAPWATCH_SOURCE', '"prometheus"', /"agent" or "scrape"/],
    [{ HEAPWATCH_SOURCE: 'scrape', HEAPWATCH_SCRAPE_URL: 'http://example.com/metrics' }, 'HEAPWATCH_SCRAPE_URL', 'example.com', /localhost/],
    [{ HEAPWATCH_SCRAPE_URL: 'http://user:pw@127.0.0.1/metrics' }, 'HEAPWATCH_SCRAPE_URL', 'user:pw', /without credentials/],
    [{ HEAPWATCH_CHECK_INTERVAL_SECONDS: '0' }, 'HEAPWATCH_CHECK_INTERVAL_SECONDS', '"0"', /number from 0.1 to 3600/],
    [{ HEAPWATCH_SNAPSHOT_MAX_KEPT: '2.5' }, 'HEAPWATCH_SNAPSHOT_MAX_KEPT', '"2.5"', /integer from 1 to 100/],
    [{ HEAPWATCH_SNAPSHOT_COOLDOWN_SECONDS: '-1' }, 'HEAPWATCH_SNAPSHOT_COOLDOWN_SECONDS', '"-1"', /from 0/],
    [{ HEAPWATCH_SNAPSHOT_VOLUME_LIMIT_BYTES: '2Gi' }, 'HEAPWATCH_SNAPSHOT_VOLUME_LIMIT_BYTES', '"2Gi"', /integer/],
    [{ HEAPWATCH_CONTAINER_MEMORY_LIMIT_BYTES: 'lots' }, 'HEAPWATCH_CONTAINER_MEMORY_LIMIT_BYTES', '"lots"', /integer/],
    [{ HEAPWATCH_DIR: 'relative/dir' }, 'HEAPWATCH_DIR', '"relative/dir"', /absolute path/],
    [{ HEAPWATCH_TOKEN_FILE: 'token' }, 'HEAPWATCH_TOKEN_FILE', '"token"', /absolute path/],
  ];
  for (const [env, variable, shown, allowed] of cases) {
    it(`fails if ${variable} is ${shown}`, () => {
      const p = problems(env);
      assert.equal(p.length, 1, p.join('\n'));
      assert.ok(p[0].startsWith(variable), `names the variable: ${p[0]}`);
      assert.ok(p[0].includes(shown), `shows the value: ${p[0]}`);
      assert.match(p[0], allowed);
    });
  }

  it('fails if HEAPWATCH_SOURCE=scrape has no HEAPWATCH_SCRAPE_URL', () => {
    const p = problems({ HEAPWATCH_SOURCE: 'scrape' });
    assert.equal(p.length, 1);
    assert.match(p[0], /^HEAPWATCH_SCRAPE_URL is not set: required when HEAPWATCH_SOURCE=scrape/);
  });

  it('reports every problem at once', () => {
    assert.equal(problems({ HEAPWATCH_PORT: 'x', HEAPWATCH_SOURCE: 'y', HEAPWATCH_SNAPSHOT_MAX_KEPT: '0' }).length, 3);
  });

  it('the bundled sidecar refuses to start, exit code 2, with the message on stderr', async () => {
    const r = await runExporterExpectingFailure({ HEAPWATCH_PORT: 'http', HEAPWATCH_SNAPSHOT_MAX_KEPT: '0' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /HEAPWATCH_PORT="http" is invalid: must be an integer from 0 to 65535/);
    assert.match(r.stderr, /HEAPWATCH_SNAPSHOT_MAX_KEPT="0" is invalid: must be an integer from 1 to 100/);
  });
});
