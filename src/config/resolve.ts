import { DEFAULT_CONFIG } from './defaults';
import { ConfigError } from './errors';
import { HeapwatchConfig, HeapwatchConfigInput } from './types';
import { show } from './show';
import { suggestField } from './suggest';
import { validateConfig } from './validate';

/** Type-only: no value carries it, so only resolveConfig() (through a cast) can make a ResolvedConfig. */
declare const RESOLVED: unique symbol;

/**
 * A config that resolveConfig() filled in and validated: the only kind every construct and
 * builder takes, so validation happens once, at this one gate. A copy (spread, JSON round trip)
 * or an object cast to this type is refused at run time by requireResolved().
 */
export type ResolvedConfig = HeapwatchConfig & { readonly [RESOLVED]: true };

/** Exactly the objects resolveConfig() returned (frozen, so they stay valid). */
const resolvedConfigs = new WeakSet<object>();

/**
 * Fills in the documented defaults, validates, and returns a frozen config.
 * Throws ConfigError listing every problem at once; it never half-applies.
 */
export function resolveConfig(input: HeapwatchConfigInput = {}): ResolvedConfig {
  const problems: string[] = [];
  const merged = merge(DEFAULT_CONFIG, input, '', problems) as HeapwatchConfig;
  // A field with the wrong type was replaced by its default above, so the semantic checks
  // still run on a whole object and every problem is reported in one go.
  problems.push(...validateConfig(merged));
  if (problems.length > 0) throw new ConfigError(problems);
  const config = deepFreeze(merged);
  resolvedConfigs.add(config);
  return config as ResolvedConfig;
}

/**
 * The gate's run-time half, for JavaScript callers and casts: throws ConfigError unless `config`
 * is an object resolveConfig() returned. `user` names the construct or builder in the message.
 */
export function requireResolved(config: ResolvedConfig, user: string): ResolvedConfig {
  if (typeof config === 'object' && config !== null && resolvedConfigs.has(config)) return config;
  const given = typeof config === 'object' && config !== null ? 'an object resolveConfig() did not return' : show(config);
  throw new ConfigError([`'config' (${given}) given to ${user} must be what resolveConfig() returns: ` +
    'a copied or hand-built config skips validation; pass your settings to resolveConfig() and its result here']);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// Keys people reach for that would put a secret into dist/; each gets its own advice.
const FORBIDDEN_KEYS: Record<string, string> = {
  webhookUrl: 'put the Slack webhook URL in a Secret and name it in slack.webhookSecretName',
  apiUrl: 'put the Slack webhook URL in a Secret and name it in slack.webhookSecretName',
  adminPassword: 'put the Grafana admin password in a Secret and name it in grafana.adminSecretName',
  token: 'put the snapshot token in a Secret and name it in exporter.snapshots.tokenSecretName',
};

// The fields of list items (the defaults' lists are empty, so they cannot tell).
const LIST_ITEM_FIELDS: Record<string, readonly string[]> = {
  'prometheus.remoteWrite': ['url', 'name'],
};

function didYouMean(shape: Record<string, unknown>, path: string, key: string): string {
  const near = suggestField(shape, path, key);
  return near ? `; did you mean '${near}'?` : '';
}

/** Key names whose values an error never echoes: a misspelled secret field must not reach a CI log. */
const SECRET_LIKE_KEY = /secret|password|passwd|token|webhook|apikey|api_key|credential/i;

/**
 * An unknown field's value as its problem echoes it: a URL as its origin only (a Slack webhook's
 * secret is its path; credentials sit in userinfo or the query), a long value cut short (a
 * misplaced section can be long), nothing for a secret-like key.
 */
function echoed(key: string, value: unknown): string {
  if (SECRET_LIKE_KEY.test(key)) return 'value not shown';
  const url = typeof value === 'string' && URL.canParse(value) && /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? new URL(value) : undefined;
  const shown = url ? JSON.stringify(`${url.protocol}//${url.host}/...`) : show(value);
  return shown.length <= 60 ? shown : `${shown.slice(0, 57)}...`;
}

/** An unknown key's problem: the field, its value, what is allowed there, and the nearest known field. */
function unknownField(field: string, key: string, value: unknown, allowed: readonly string[], didYouMeanIt: string): string {
  return `'${field}' (${echoed(key, value)}) is not a known field; allowed here: ${allowed.join(', ')}${didYouMeanIt}`;
}

/** Merges input over defaults by the defaults' shape; unknown keys and wrong types become problems. */
function merge(defaults: unknown, input: unknown, path: string, problems: string[]): unknown {
  if (input === undefined) return defaults;
  if (isPlainObject(defaults)) {
    if (!isPlainObject(input)) {
      problems.push(`'${path}' (${show(input)}) must be an object`);
      return defaults;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(defaults)) out[key] = merge(defaults[key], input[key], join(path, key), problems);
    for (const key of Object.keys(input)) {
      if (key in defaults) continue;
      const advice = FORBIDDEN_KEYS[key];
      problems.push(advice
        ? `'${join(path, key)}' is not allowed: a secret must never be written into the manifests; ${advice}`
        : unknownField(join(path, key), key, input[key], Object.keys(defaults), didYouMean(defaults, path, key)));
    }
    return out;
  }
  if (Array.isArray(defaults) || (defaults === undefined && Array.isArray(input))) {
    if (!Array.isArray(input)) {
      problems.push(`'${path}' (${show(input)}) must be a list`);
      return defaults;
    }
    const itemFields = LIST_ITEM_FIELDS[path];
    return input.map((item, i) => {
      if (!isPlainObject(item)) return item;
      for (const key of Object.keys(item)) {
        if (itemFields && !itemFields.includes(key)) {
          const shape = Object.fromEntries(itemFields.map((f) => [f, undefined]));
          problems.push(unknownField(`${path}[${i}].${key}`, key, item[key], itemFields, didYouMean(shape, `${path}[${i}]`, key)));
        }
      }
      return { ...item };
    });
  }
  // Optional leaves without a default take the input's type; the validator checks it.
  if (defaults !== undefined && typeof input !== typeof defaults) {
    problems.push(`'${path}' (${show(input)}) must be a ${typeof defaults}`);
    return defaults;
  }
  return input;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
