/**
 * The JSDoc `@default` tags in src/config/types.ts and src/config/stack-types.ts say what src/config/defaults.ts holds: every
 * field is documented, and every documented default is the real one (test/readme.unit.test.ts does
 * the same for the README's config table).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as config from '../../src/config';

interface Member {
  readonly name: string;
  readonly type: string;
  /** The text after `@default`, undefined when the member has no tag. */
  readonly tag?: string;
}

/** Every `export interface` in the file, as its members in order. */
function interfaces(source: string): Map<string, Member[]> {
  const out = new Map<string, Member[]>();
  for (const block of source.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}/gm)) {
    const members: Member[] = [];
    for (const m of block[2].matchAll(/(?:\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*)?readonly (\w+)\??: ([^;]+);/g)) {
      const doc = (m[1] ?? '').split('\n').map((l) => l.replace(/^\s*\*\s?/, '')).join(' ');
      const tag = /@default\s+(.*?)\s*$/.exec(doc)?.[1];
      members.push({ name: m[2], type: m[3].trim(), tag });
    }
    out.set(block[1], members);
  }
  return out;
}

/** The value a tag's leading literal stands for; what follows it in parentheses is commentary. */
function tagValue(tag: string): unknown {
  const enumRef = /^([A-Z]\w+)\.([A-Z_]+)\b/.exec(tag);
  if (enumRef) {
    const e = (config as unknown as Record<string, Record<string, unknown>>)[enumRef[1]];
    assert.ok(e && enumRef[2] in e, `${tag}: no enum member ${enumRef[0]} in src/config`);
    return e[enumRef[2]];
  }
  const literal = /^(\{[^}]*\}|\[[^\]]*\]|"(?:[^"\\]|\\.)*"|-?[0-9.]+|true|false)(?:\s+\(.*\))?$/.exec(tag);
  assert.ok(literal, `@default ${tag}: expected a literal, optionally followed by "(why)"`);
  return JSON.parse(literal[1].replace(/([{,]\s*)(\w+):/g, '$1"$2":'));
}

/** Every leaf path of an object, e.g. "app.resources.cpuLimit". */
function leaves(o: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v !== null && !Array.isArray(v)
    ? leaves(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

/** The config's interfaces: its root and the app's side, and the monitoring side. */
const TYPE_FILES = ['src/config/types.ts', 'src/config/stack-types.ts'];
const types = new Map(TYPE_FILES.flatMap((f) => [...interfaces(readFileSync(f, 'utf8'))]));

/** Checks one interface's members against one object of the defaults; returns the field paths checked. */
function check(iface: string, defaults: Record<string, unknown>, prefix: string): string[] {
  const members = types.get(iface);
  assert.ok(members, `interface ${iface} is in ${TYPE_FILES.join(' or ')}`);
  assert.deepEqual(members.map((m) => m.name).sort(), Object.keys(defaults).sort(), `${iface}'s fields are the defaults' keys at ${prefix || 'the top'}`);
  return members.flatMap((m) => {
    const path = `${prefix}${m.name}`;
    const value = defaults[m.name];
    const nested = types.has(m.type) && typeof value === 'object' && value !== null && !Array.isArray(value);
    if (nested && m.tag === undefined) return check(m.type, value as Record<string, unknown>, `${path}.`);
    assert.ok(m.tag !== undefined, `${path} has a @default tag`);
    if (value === undefined) {
      assert.match(m.tag, /^- /, `${path} has no default value, so its tag describes the behaviour ("@default - ...")`);
    } else {
      assert.deepEqual(tagValue(m.tag), value, `${path}: "@default ${m.tag}" against src/config/defaults.ts`);
    }
    return [path];
  });
}

describe('@default tags in src/config/types.ts and stack-types.ts', () => {
  it('document every config field with its real default', () => {
    const checked = check('HeapwatchConfig', config.DEFAULT_CONFIG as unknown as Record<string, unknown>, '');
    // Every leaf is covered: by its own tag, or by the tag of the object holding it ({ cpuRequest: ... }).
    for (const leaf of leaves(config.DEFAULT_CONFIG as unknown as Record<string, unknown>)) {
      assert.ok(checked.some((p) => leaf === p || leaf.startsWith(`${p}.`)), `${leaf} is covered by a @default tag`);
    }
  });

  it('are read the way they are written (the checker itself)', () => {
    assert.equal(tagValue('0.70'), 0.7);
    assert.equal(tagValue('20 (5 minutes at the default interval)'), 20);
    assert.equal(tagValue('"docker.io/library/node:24.11.1-alpine3.22" (the sample app)'), 'docker.io/library/node:24.11.1-alpine3.22');
    assert.deepEqual(tagValue('{ cpuRequest: "100m", cpuLimit: "1" }'), { cpuRequest: '100m', cpuLimit: '1' });
    assert.equal(tagValue('HeapRatioBasis.LIMIT'), 'limit');
    assert.throws(() => tagValue('five minutes'), /expected a literal/);
  });
});
