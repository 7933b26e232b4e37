/**
 * Validates synthesized objects against the Kubernetes OpenAPI schemas, offline.
 *
 * The schemas come from kubernetes-models 5, which ships them only as ajv validators compiled
 * ahead of time (one module per definition, no JSON schema files). Those validators enforce
 * types, enums and required fields, but, like the Kubernetes OpenAPI itself, let unknown
 * fields through, so a typo such as `livenesProbe` would pass and the API server would
 * silently drop it (or reject it under strict field validation). To catch those too, each
 * object is validated through a recording Proxy: a compiled validator reads every property
 * its schema declares (`data.livenessProbe`, present or not) and enumerates the keys of
 * free-form maps (labels, annotations, data, resource lists). Any key of a visited object
 * that the validator neither read nor enumerated is a field the schema does not declare.
 * Objects whose schema declares no properties at all (x-kubernetes-preserve-unknown-fields,
 * RawExtension) are never read into, so they are treated as free-form, as the API server does.
 *
 * kubernetes-models is ESM-only and its package exports only an `import` condition, so the
 * model files are loaded by absolute path with require(esm) (Node >= 22.12; the project's
 * Node 24 has it).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeObject, formatPath, K8sObject, PathSegment } from './k8s-object';

/** What went wrong, where. */
export interface SchemaProblem {
  /** "Deployment heapwatch/prometheus". */
  readonly object: string;
  /** Readable path inside the object, e.g. spec.template.spec.containers[0].livenesProbe. */
  readonly path: string;
  readonly rule: SchemaRule;
  readonly message: string;
}

export enum SchemaRule {
  /** No schema is known for the object's apiVersion and kind. */
  UNKNOWN_KIND = 'unknown-kind',
  /** A type, enum, format or required-field error from the OpenAPI schema. */
  SCHEMA = 'schema',
  /** A field the schema does not declare. */
  UNKNOWN_FIELD = 'unknown-field',
}

/**
 * Where each API group's models come from: kubernetes-models for the built-in groups, a
 * kubernetes-models add-on for CRD groups (@kubernetes-models/prometheus-operator 6: operator
 * v0.91 schemas, a devDependency, loaded the same way).
 */
const ADDON_MODEL_PACKAGES: Readonly<Record<string, string>> = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};
const CORE_MODEL_PACKAGE = 'kubernetes-models';

type CompiledValidator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
interface AjvError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, any>;
  readonly message?: string;
}

/** Checks one object; returns every problem (empty when valid). */
export function validateObject(obj: K8sObject): SchemaProblem[] {
  const object = describeObject(obj);
  const loaded = loadValidator(obj?.apiVersion, obj?.kind);
  if (typeof loaded === 'string') return [{ object, path: '(root)', rule: SchemaRule.UNKNOWN_KIND, message: loaded }];

  // A plain JSON copy: the Proxy must not meet frozen objects, class instances or undefined values.
  const data = JSON.parse(JSON.stringify(obj));
  const reads = new Map<string, ReadRecord>();
  const valid = loaded(recording(data, '', reads));
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const err of valid ? [] : (loaded.errors ?? [])) {
    const p = fromAjvError(data, err);
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ object, rule: SchemaRule.SCHEMA, ...p });
  }
  for (const path of unknownFields(data, [], '', reads)) {
    problems.push({
      object,
      path: formatPath(path),
      rule: SchemaRule.UNKNOWN_FIELD,
      message: `field '${path[path.length - 1]}' is not declared by the ${obj.apiVersion} ${obj.kind} schema`,
    });
  }
  return problems;
}

/** Checks every object. */
export function validateObjects(objects: readonly K8sObject[]): SchemaProblem[] {
  return objects.flatMap(validateObject);
}

/** One line per problem, for assertion messages. */
export function formatSchemaProblem(p: SchemaProblem): string {
  return `${p.object}: ${p.path}: [${p.rule}] ${p.message}`;
}

// ---------------------------------------------------------------------------------------------
// Loading the compiled validators

const validators = new Map<string, CompiledValidator | string>();

/** The compiled validator for apiVersion/kind, or a message saying why there is none. */
function loadValidator(apiVersion: unknown, kind: unknown): CompiledValidator | string {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return `apiVersion (${JSON.stringify(apiVersion)}) and kind (${JSON.stringify(kind)}) must both be strings`;
  }
  const key = `${apiVersion} ${kind}`;
  let v = validators.get(key);
  if (v === undefined) {
    v = findValidator(apiVersion, kind);
    validators.set(key, v);
  }
  return v;
}

function findValidator(apiVersion: string, kind: string): CompiledValidator | string {
  const unknown = `no Kubernetes schema for apiVersion '${apiVersion}' kind '${kind}'`;
  // Both end up in a file path: accept only what real group/versions and kinds look like.
  if (!/^([a-z0-9]([a-z0-9.-]*[a-z0-9])?\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    return `${unknown} (not a valid apiVersion/kind)`;
  }
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const pkg = ADDON_MODEL_PACKAGES[group] ?? CORE_MODEL_PACKAGE;
  const dir = packageDir(pkg);
  if (!dir) return `${unknown}: its models come from ${pkg}, which is not installed`;
  const file = join(dir, apiVersion, `${kind}.js`);
  if (!existsSync(file)) return `${unknown} in ${pkg} (is the group/version or kind misspelled?)`;
  const model = requireEsm(file)[kind];
  // Spec types (DeploymentSpec) have model files too; only top-level kinds carry apiVersion/kind.
  if (typeof model !== 'function' || model.apiVersion !== apiVersion || model.kind !== kind) {
    return `${unknown}: kubernetes-models has '${kind}' only as a nested type, not as a top-level kind`;
  }
  return compiledValidatorOf(model);
}

/**
 * The model's compiled ajv validator as a plain function. setValidateFunc() installs it as
 * `prototype.validate()`, which runs it on `this` and throws an error carrying ajv's `errors`;
 * calling that with our recording Proxy as `this` validates the Proxy itself (constructing a
 * model instead would copy the data and lose the recording).
 */
function compiledValidatorOf(model: any): CompiledValidator {
  const validate = model.prototype.validate as (this: unknown) => void;
  const wrapped = ((data: unknown) => {
    try {
      validate.call(data);
      wrapped.errors = null;
      return true;
    } catch (e: any) {
      if (!Array.isArray(e?.errors)) throw e;
      wrapped.errors = e.errors;
      return false;
    }
  }) as CompiledValidator;
  return wrapped;
}

const packageDirs = new Map<string, string | undefined>();

/** node_modules/<pkg>, found upwards from this file (their package.json is not exported), or undefined. */
function packageDir(pkg: string): string | undefined {
  if (packageDirs.has(pkg)) return packageDirs.get(pkg);
  let found: string | undefined;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(join(candidate, 'package.json'))) {
      found = candidate;
      break;
    }
    if (dirname(dir) === dir) break;
  }
  packageDirs.set(pkg, found);
  return found;
}

function requireEsm(file: string): any {
  try {
    return require(file);
  } catch (e: any) {
    if (e?.code === 'ERR_REQUIRE_ESM') {
      throw new Error(`loading ${file} needs require(esm), Node >= 22.12 (this is ${process.version}); run with ./node_modules/.bin/node`);
    }
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Recording what the schema declares

/** What a validator did with one object: the property names it read, whether it enumerated keys. */
interface ReadRecord {
  readonly read: Set<string>;
  enumerated: boolean;
}

/** JSON-pointer escaping, the same as ajv's instancePath. */
const escapeSegment = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

function recordFor(reads: Map<string, ReadRecord>, pointer: string): ReadRecord {
  let r = reads.get(pointer);
  if (!r) reads.set(pointer, (r = { read: new Set(), enumerated: false }));
  return r;
}

/** Wraps `value` so that every property read and key enumeration is recorded under its pointer. */
function recording(value: unknown, pointer: string, reads: Map<string, ReadRecord>): unknown {
  if (value === null || typeof value !== 'object') return value;
  return new Proxy(value as object, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string') return v;
      recordFor(reads, pointer).read.add(prop);
      return recording(v, `${pointer}/${escapeSegment(prop)}`, reads);
    },
    ownKeys(target) {
      recordFor(reads, pointer).enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

/**
 * Paths of fields that no validator read in objects it visited. Maps (enumerated) and objects
 * it never read into (free-form, or not reached because of a type error reported already) are
 * not judged, but their children are, since a map's values can be typed objects.
 */
function unknownFields(value: unknown, path: PathSegment[], pointer: string, reads: Map<string, ReadRecord>): PathSegment[][] {
  if (value === null || typeof value !== 'object') return [];
  const out: PathSegment[][] = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...unknownFields(v, [...path, i], `${pointer}/${i}`, reads)));
    return out;
  }
  const record = reads.get(pointer);
  const judged = record !== undefined && !record.enumerated && record.read.size > 0;
  for (const [key, v] of Object.entries(value)) {
    if (judged && !record.read.has(key)) {
      out.push([...path, key]);
      continue;
    }
    out.push(...unknownFields(v, [...path, key], `${pointer}/${escapeSegment(key)}`, reads));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Turning ajv errors into readable problems

function fromAjvError(data: unknown, err: AjvError): { path: string; message: string } {
  const segments = pointerToSegments(data, err.instancePath);
  const value = valueAt(data, segments);
  const got = `got ${describeValue(value)}`;
  const p = err.params ?? {};
  switch (err.keyword) {
    case 'required':
      return { path: formatPath([...segments, p.missingProperty]), message: 'required field is missing' };
    case 'type':
      return { path: formatPath(segments), message: `must be of type ${p.type}, ${got}` };
    case 'enum':
      return { path: formatPath(segments), message: `must be one of ${(p.allowedValues ?? []).map((a: unknown) => JSON.stringify(a)).join(', ')}, ${got}` };
    case 'format':
      return { path: formatPath(segments), message: `must match format "${p.format}", ${got}` };
    case 'oneOf':
    case 'anyOf':
      return { path: formatPath(segments), message: `must match ${err.keyword === 'oneOf' ? 'exactly one' : 'at least one'} of the allowed schemas, ${got}` };
    default:
      return { path: formatPath(segments), message: `${err.message ?? `fails '${err.keyword}'`} ${JSON.stringify(p)}, ${got}` };
  }
}

/** "/spec/containers/0/name" -> ["spec", "containers", 0, "name"], numbers only inside arrays. */
function pointerToSegments(data: unknown, pointer: string): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let cur: any = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const seg: PathSegment = Array.isArray(cur) ? Number(key) : key;
    out.push(seg);
    cur = cur?.[seg];
  }
  return out;
}

function valueAt(data: unknown, segments: readonly PathSegment[]): unknown {
  let cur: any = data;
  for (const s of segments) cur = cur?.[s];
  return cur;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}
