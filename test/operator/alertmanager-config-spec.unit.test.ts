/** buildAlertmanagerConfigSpec's list of the config fields it reads (what the apps of one namespace must agree on). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CONFIG, HeapwatchConfigInput, resolveConfig } from '../../src/config';
import { buildAlertmanagerConfigSpec, ROUTING_FIELDS, routingField } from '../../src/operator';
import { OPERATOR_INPUT } from '../support/operator-config';

const spec = (input: HeapwatchConfigInput = {}) => JSON.stringify(buildAlertmanagerConfigSpec(resolveConfig({ ...OPERATOR_INPUT, ...input })));

/** A value of the same type as `v`, different from it. */
const other = (v: unknown) => (typeof v === 'boolean' ? !v : /^\d+[smh]$/.test(String(v)) ? '7m' : typeof v === 'number' ? v + 1 : `${v}-x`);

describe('ROUTING_FIELDS', () => {
  it('lists only fields the spec reads: changing any one changes it', () => {
    const base = spec();
    for (const field of ROUTING_FIELDS) {
      const [section, key] = field.split('.');
      assert.notEqual(spec({ [section]: { [key]: other(routingField(resolveConfig(), field)) } }), base, field);
    }
  });

  it('lists every field of slack and alertmanager the spec reads: changing all the others leaves it as it is', () => {
    const base = spec();
    const rest: Record<string, Record<string, unknown>> = {};
    for (const section of ['slack', 'alertmanager'] as const) {
      for (const [key, value] of Object.entries(DEFAULT_CONFIG[section])) {
        if ((ROUTING_FIELDS as readonly string[]).includes(`${section}.${key}`) || typeof value === 'object') continue;
        (rest[section] ??= {})[key] = key === 'image' ? 'quay.io/prometheus/alertmanager:v0.1.0' : key === 'storageSize' ? '9Gi' : other(value);
      }
    }
    assert.ok(Object.keys(rest.alertmanager).length >= 3, JSON.stringify(rest));
    assert.equal(spec(rest), base, JSON.stringify(rest));
  });
});
