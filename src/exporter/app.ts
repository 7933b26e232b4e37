/**
 * The sidecar's HTTP app: /metrics, /healthz, /readyz and the admin API. Builds the app and
 * never listens (main.ts does), so tests and the bench run it as it ships.
 */
import express, { NextFunction, Request, Response } from 'express';
import { ADMIN_PREFIX } from './admin-api';

export interface AppDeps {
  /** The whole /metrics body. */
  readonly metrics: () => Promise<string>;
  /** True once metrics can be served, false again while shutting down. */
  readonly ready: () => boolean;
  /** The admin API (heap snapshots and allocation profiles), mounted at ADMIN_PREFIX. */
  readonly admin: express.Router;
}

const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/metrics', async (_req: Request, res: Response) => {
    const body = await deps.metrics();
    res.setHeader('Content-Type', TEXT_FORMAT);
    res.setHeader('Cache-Control', 'no-store');
    res.send(body);
  });
  app.get('/healthz', (_req: Request, res: Response) => {
    res.type('text/plain').send('ok\n');
  });
  app.get('/readyz', (_req: Request, res: Response) => {
    const ready = deps.ready();
    res.status(ready ? 200 : 503).type('text/plain').send(ready ? 'ready\n' : 'not ready\n');
  });
  app.use(ADMIN_PREFIX, deps.admin);

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not found' });
  });
  // Malformed input (a bad URI escape, an aborted body) must never crash the process or leak a stack.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    if (res.headersSent) return void res.end();
    res.status(status >= 400 && status < 600 ? status : 500).json({ error: status < 500 ? 'bad request' : 'internal error' });
  });
  return app;
}
