/**
 * The code heapwatch puts into the watched pod, exactly as `npm run build` bundled it:
 * build/bundles/heapwatch-agent.js (the app's NODE_OPTIONS --require's it) and
 * build/bundles/heapwatch-exporter.js (the sidecar). They are read from the package's own
 * build/ folder, found from this file's compiled location, so a chart in a checkout and a
 * chart that installed heapwatch from npm ship the same files.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { AGENT_FILE, EXPORTER_FILE } from '../contract';

/** build/bundles, from build/src/app (the compiled file) or src/app (the source). */
export const BUNDLES_DIR = path.basename(path.resolve(__dirname, '../..')) === 'build'
  ? path.resolve(__dirname, '../../bundles')
  : path.resolve(__dirname, '../../build/bundles');

export interface ShippedCode {
  /** The agent bundle's bytes. */
  readonly agent: Buffer;
  /** The sidecar bundle's bytes. */
  readonly exporter: Buffer;
}

const read = new Map<string, ShippedCode>();

/** The two bundles in `dir` (read once per process); throws naming every missing file and the command that writes them. */
export function shippedCode(dir: string = BUNDLES_DIR): ShippedCode {
  let code = read.get(dir);
  if (!code) {
    const missing = [AGENT_FILE, EXPORTER_FILE].map((name) => path.join(dir, name)).filter((p) => !fs.existsSync(p));
    if (missing.length > 0) {
      throw new Error(`heapwatch's shipped code is missing: ${missing.join(' and ')} ${missing.length > 1 ? 'do' : 'does'} not exist; run \`npm run build\` to bundle it`);
    }
    code = { agent: fs.readFileSync(path.join(dir, AGENT_FILE)), exporter: fs.readFileSync(path.join(dir, EXPORTER_FILE)) };
    read.set(dir, code);
  }
  return code;
}

/**
 * gzip with a fixed header, so the same bytes always give the same dist/: Node writes mtime 0;
 * the OS byte is set to 3 (Unix) whatever the platform. The header is outside gzip's CRC.
 */
export function gzipStable(bytes: Buffer): Buffer {
  const gz = gzipSync(bytes, { level: 9 });
  gz.writeUInt32LE(0, 4);
  gz[9] = 3;
  return gz;
}

/** Hex sha256 of some bytes (the pod's code annotations: `sha256sum build/bundles/<file>` gives the same). */
export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
