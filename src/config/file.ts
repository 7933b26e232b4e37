/**
 * The config file, for users who do not write TypeScript: `heapwatch.yaml` in the directory
 * synth runs from (the project root, where cdk8s.yaml is), or the YAML or JSON file that
 * HEAPWATCH_CONFIG names. It is the same input `resolveConfig` takes, merged over the same
 * defaults and validated the same way; every problem names the file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from './errors';
import { resolveConfig } from './resolve';
import { HeapwatchConfigInput } from './types';

/** The file read when HEAPWATCH_CONFIG is unset; absent means the defaults. */
export const CONFIG_FILE = 'heapwatch.yaml';
/** The environment variable that names another config file (relative to the current directory). */
export const CONFIG_FILE_ENV = 'HEAPWATCH_CONFIG';

const FORMATS: Record<string, 'yaml' | 'json'> = { '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json' };
// Names people give the file that heapwatch would otherwise silently ignore.
const NEAR_MISSES = ['heapwatch.yml', 'heapwatch.json'];

export interface ConfigFileOptions {
  /**
   * Where `heapwatch.yaml` is looked for, and what a relative HEAPWATCH_CONFIG is relative to.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The config file's problems: it could not be read or parsed, or what it holds is invalid. */
export class ConfigFileError extends ConfigError {
  constructor(public readonly file: string, problems: readonly string[]) {
    super(problems);
    this.name = 'ConfigFileError';
    this.message = this.message.replace(/^heapwatch config has/, `heapwatch config file ${file} has`);
  }
}

/** The config file in use, or undefined when there is none; throws if HEAPWATCH_CONFIG names a missing file. */
export function findConfigFile(options: ConfigFileOptions = {}): string | undefined {
  const cwd = options.cwd ?? process.cwd();
  const named = (options.env ?? process.env)[CONFIG_FILE_ENV];
  if (named !== undefined && named !== '') {
    const path = resolve(cwd, named);
    if (!existsSync(path)) {
      throw new ConfigFileError(shown(path, cwd), [`${CONFIG_FILE_ENV} (${JSON.stringify(named)}) names a file that does not exist; ` +
        `a relative path is taken from the current directory, ${cwd}`]);
    }
    return path;
  }
  const path = resolve(cwd, CONFIG_FILE);
  if (existsSync(path)) return path;
  const near = NEAR_MISSES.find((name) => existsSync(resolve(cwd, name)));
  if (near) {
    throw new ConfigFileError(near, [`heapwatch reads ${CONFIG_FILE}, not ${near}: rename it, or set ${CONFIG_FILE_ENV}=${near}`]);
  }
  return undefined;
}

/**
 * Reads, parses and validates one config file (YAML for .yaml and .yml, JSON for .json) and
 * returns its input as written, to be passed to `resolveConfig` or the default chart. Throws
 * ConfigFileError, listing every problem at once, when the file cannot be read, is not
 * well-formed, or holds an invalid config.
 */
export function readConfigFile(path: string, options: Pick<ConfigFileOptions, 'cwd'> = {}): HeapwatchConfigInput {
  const file = shown(path, options.cwd ?? process.cwd());
  const format = FORMATS[extname(path).toLowerCase()];
  if (!format) throw new ConfigFileError(file, [`the file name must end in ${Object.keys(FORMATS).join(', ')} (YAML or JSON)`]);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigFileError(file, [`cannot be read: ${(e as Error).message}`]);
  }
  const { value, problems } = format === 'json' ? parseJson(text) : parseYaml(text);
  if (problems.length > 0) throw new ConfigFileError(file, problems);
  if (value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) {
    throw new ConfigFileError(file, [`must hold one ${format === 'json' ? 'object' : 'mapping'} of config fields at the top, not ${Array.isArray(value) ? 'a list' : JSON.stringify(value)}`]);
  }
  const input = (value ?? {}) as HeapwatchConfigInput;
  try {
    resolveConfig(input);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigFileError(file, format === 'yaml' ? e.problems.map(withYamlHint) : e.problems);
  }
  return input;
}

/** The config file's input (empty when there is no file), and which file it came from. */
export function loadConfigFile(options: ConfigFileOptions = {}): { readonly file?: string; readonly input: HeapwatchConfigInput } {
  const file = findConfigFile(options);
  return file === undefined ? { input: {} } : { file, input: readConfigFile(file, options) };
}

function parseYaml(text: string): { value: unknown; problems: string[] } {
  // uniqueKeys (the default) makes a key given twice an error rather than "the last one wins".
  const doc = parseDocument(text);
  const problems = doc.errors.map((e) => {
    const at = e.linePos?.[0];
    return `${at ? `line ${at.line}, column ${at.col}: ` : ''}${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`;
  });
  return { value: problems.length > 0 ? undefined : doc.toJS(), problems };
}

function parseJson(withBom: string): { value: unknown; problems: string[] } {
  // Editors on Windows save UTF-8 with a byte order mark, which JSON.parse refuses (the YAML parser skips it).
  const text = withBom.replace(/^\uFEFF/, '');
  if (text.trim() === '') return { value: {}, problems: [] };
  try {
    return { value: JSON.parse(text), problems: [] };
  } catch (e) {
    return { value: undefined, problems: [`is not valid JSON: ${(e as Error).message}`] };
  }
}

/** YAML reads `cpuLimit: 1` as a number; a quantity or a duration must then be quoted. */
function withYamlHint(problem: string): string {
  const m = /^'[^']+' \(([-\d.e+]+|true|false|null)\) must be a string$/.exec(problem);
  return m ? `${problem}; in YAML, quote it: "${m[1]}"` : problem;
}

/** A path as the user would write it: relative to the current directory when inside it. */
function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
