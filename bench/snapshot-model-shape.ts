/**
 * One heap shape for `npm run bench:snapshot`, in a process of its own (run with --expose-gc):
 * builds the shape, takes the sample the agent takes (src/agent/sample.ts), then writes a heap
 * snapshot with v8.writeHeapSnapshot and prints one JSON line: the sample, the peak RSS rise,
 * the pause and the file size.
 *
 *   node --expose-gc build/bench/snapshot-model-shape.js <shape> <count> <dir>
 *   shapes: bare | nest-idle | nest-leak (count records) | objects (count two-field objects)
 *           | nest-objects (the idle Nest app and count two-field objects) | strings (count 512 KiB strings)
 *
 * The peak is VmHWM from /proc/self/status, reset just before the snapshot by writing 5 to
 * /proc/self/clear_refs: the kernel's own high-water mark catches a peak of any length, where
 * a sampler from outside can miss a short one and takes CPU from the process it measures.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { sampleHeap } from '../src/agent/sample';

export interface ShapeRun {
  readonly shape: string;
  readonly count: number;
  readonly node: string;
  readonly sample: ReturnType<typeof sampleHeap>;
  /** VmRSS just before the snapshot. */
  readonly rssBefore: number;
  /** Peak RSS during the snapshot (VmHWM) minus rssBefore. */
  readonly peakRiseBytes: number;
  readonly pauseMs: number;
  readonly fileBytes: number;
}

/** Retained by the shapes, so nothing they build is garbage when the snapshot runs. */
const kept: unknown[] = [];

function status(): { rss: number; hwm: number } {
  const text = fs.readFileSync('/proc/self/status', 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1]) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

/** A record like the one a queue service polls from its database: small, several strings and a Date, the shape of a common leak. */
interface MintRecord {
  readonly id: number;
  readonly userId: string;
  readonly status: string;
  readonly payload: string;
  readonly createdAt: Date;
}

const STATUSES = ['pending', 'minting', 'minted', 'failed'];

/** The Nest app: a queue service keeping every polled record (the leak), users and health controllers. */
async function nestApp(records: number): Promise<void> {
  // Loaded here, so the other shapes carry none of Nest's code.
  await import('reflect-metadata');
  const { Controller, Get, Injectable, Module, Param } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  class MintQueueService {
    readonly seen = new Map<number, MintRecord>();
    private next = 0;
    private readonly row = Buffer.alloc(64);
    poll(n: number): void {
      const row = this.row;
      for (let i = 0; i < n; i++) {
        const id = this.next++;
        // A flat 64-character string per record, decoded from a buffer as a database driver does.
        row.write(id.toString(16).padStart(12, '0'), 0, 'latin1');
        const payload = row.fill(97 + (id % 26), 12).toString('latin1', 0, 64);
        this.seen.set(id, { id, userId: `user-${id % 5000}`, status: STATUSES[id % 4], payload, createdAt: new Date(1_700_000_000_000 + id) });
      }
    }
  }
  class UsersService {
    find(id: string) {
      return { id, name: `user ${id}` };
    }
  }
  class UsersController {
    constructor(private readonly users: UsersService) {}
    find(id: string) {
      return this.users.find(id);
    }
  }
  class HealthController {
    constructor(private readonly queue: MintQueueService) {}
    health() {
      return { status: 'ok', queued: this.queue.seen.size };
    }
  }
  // Decorators applied as functions: the project's tsconfig has no experimentalDecorators.
  Injectable()(MintQueueService);
  Injectable()(UsersService);
  Reflect.defineMetadata('design:paramtypes', [UsersService], UsersController);
  Reflect.defineMetadata('design:paramtypes', [MintQueueService], HealthController);
  Param('id')(UsersController.prototype, 'find', 0);
  Get(':id')(UsersController.prototype, 'find', Object.getOwnPropertyDescriptor(UsersController.prototype, 'find')!);
  Controller('users')(UsersController);
  Get()(HealthController.prototype, 'health', Object.getOwnPropertyDescriptor(HealthController.prototype, 'health')!);
  Controller('health')(HealthController);
  class QueueModule {}
  Module({ providers: [MintQueueService], exports: [MintQueueService] })(QueueModule);
  class UsersModule {}
  Module({ controllers: [UsersController], providers: [UsersService] })(UsersModule);
  class AppModule {}
  Module({ imports: [QueueModule, UsersModule], controllers: [HealthController] })(AppModule);

  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  // Warm the request path, as an app that has served traffic has.
  for (let i = 0; i < 50; i++) {
    await (await fetch(`${url}/users/${i}`)).text();
    await (await fetch(`${url}/health`)).text();
  }
  const queue = app.get(MintQueueService);
  while (queue.seen.size < records) queue.poll(Math.min(10_000, records - queue.seen.size));
  kept.push(app);
}

async function build(shape: string, count: number): Promise<void> {
  if (shape === 'bare') return;
  if (shape === 'nest-idle') return nestApp(0);
  if (shape === 'nest-leak') return nestApp(count);
  if (shape === 'objects' || shape === 'nest-objects') {
    if (shape === 'nest-objects') await nestApp(0);
    const objects: unknown[] = [];
    for (let i = 0; i < count; i++) objects.push({ a: i, b: i + 1 });
    kept.push(objects);
    return;
  }
  if (shape === 'strings') {
    for (let i = 0; i < count; i++) kept.push(Buffer.alloc(512 * 1024, 97 + (i % 26)).toString('latin1'));
    return;
  }
  throw new Error(`unknown shape ${JSON.stringify(shape)}: bare, nest-idle, nest-leak, objects, nest-objects or strings`);
}

async function main(): Promise<void> {
  const [shape, countText, dir] = process.argv.slice(2);
  const count = Number(countText ?? 0);
  await build(shape, count);
  // The live heap only: what the build left as garbage would only raise the estimate.
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 100));
  const sample = sampleHeap();
  fs.writeFileSync('/proc/self/clear_refs', '5');
  const before = status();
  const started = process.hrtime.bigint();
  const file = v8.writeHeapSnapshot(path.join(dir, `${shape}-${process.pid}.heapsnapshot`));
  const pauseMs = Number(process.hrtime.bigint() - started) / 1e6;
  const after = status();
  const fileBytes = fs.statSync(file).size;
  fs.rmSync(file);
  const run: ShapeRun = { shape, count, node: process.version, sample, rssBefore: before.rss, peakRiseBytes: after.hwm - before.rss, pauseMs: Math.round(pauseMs), fileBytes };
  process.stdout.write(JSON.stringify(run) + '\n');
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
