/**
 * `heapwatch fetch`: take a heap snapshot or allocation profile through the sidecar's admin API
 * (POST, which answers the new file's name) and download it, over a kubectl port-forward with
 * the bearer token from the Secret; or download an existing one by name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FetchCommand } from './fetch-args';
import { portForward, readSecretKey } from './kubectl';

/**
 * The admin API's collections, the paths src/exporter/admin-api.ts serves. Not imported from there:
 * that module loads express, which the published package does not depend on.
 */
export const ADMIN_PATHS = { snapshot: '/admin/heap-snapshots', profile: '/admin/heap-profiles' } as const;

/** The admin API refused or failed; the message has the request, the status and the API's error. */
export class FetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FetchError';
  }
}

/** Returns the downloaded file's path. */
export async function fetchArtifact(cmd: FetchCommand): Promise<string> {
  const token = await readSecretKey(cmd.namespace, cmd.secretName, cmd.secretKey);
  const forward = await portForward(cmd.namespace, cmd.target, cmd.port);
  try {
    const collection = ADMIN_PATHS[cmd.what];
    const base = `http://127.0.0.1:${forward.localPort}${collection}`;
    const headers = { authorization: `Bearer ${token}` };
    let name = cmd.name;
    if (name === undefined) {
      const taken = await fetch(base, { method: 'POST', headers });
      const body = await answer(taken, `POST ${collection}`);
      name = String((body as { name?: unknown }).name ?? '');
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new FetchError(`POST ${collection} answered no usable file name: ${JSON.stringify(body)}`);
    }
    const download = await fetch(`${base}/${encodeURIComponent(name)}`, { headers });
    if (download.status !== 200 || !download.body) await answer(download, `GET ${collection}/${name}`);
    fs.mkdirSync(cmd.outDir, { recursive: true });
    const file = path.join(cmd.outDir, name);
    const partial = `${file}.partial`;
    await pipeline(Readable.fromWeb(download.body as import('node:stream/web').ReadableStream), fs.createWriteStream(partial));
    fs.renameSync(partial, file);
    return file;
  } finally {
    forward.close();
  }
}

/** The JSON body of a 2xx answer, or a FetchError with the status and the API's error. */
async function answer(res: Response, request: string): Promise<unknown> {
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* not JSON: keep the text */ }
  if (res.status >= 200 && res.status < 300) return body;
  const error = typeof body === 'object' && body !== null && 'error' in body ? (body as { error: unknown }).error : text.slice(0, 200);
  const retry = res.headers.get('retry-after');
  throw new FetchError(`${request} answered ${res.status}: ${String(error)}${retry ? ` (retry after ${retry} s)` : ''}`);
}
