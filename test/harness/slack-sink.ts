/**
 * A local Slack-compatible incoming-webhook endpoint: Alertmanager's Slack integration posts
 * here (its webhook file holds this URL), and every message is recorded and can be printed.
 * It can be told to answer 500 to the next requests, to check that Alertmanager retries.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';

/** One message Alertmanager sent, as the sink received it. */
export interface SlackMessage {
  /** Epoch ms when it arrived. */
  readonly at: number;
  readonly channel: string;
  /** "firing" or "resolved", from the title ("[FIRING:1] ..." / "[RESOLVED] ..."). */
  readonly status: 'firing' | 'resolved' | 'unknown';
  /** The alert name in the title. */
  readonly alertname: string;
  readonly title: string;
  readonly titleLink: string;
  readonly text: string;
  readonly color: string;
  /** True when the sink answered 500 (a failed delivery attempt); false for a delivered message. */
  readonly rejected: boolean;
}

export interface SlackSinkOptions {
  /** Called with every message (delivered or rejected), e.g. to print it. @default - none */
  readonly onMessage?: (m: SlackMessage) => void;
}

export class SlackSink {
  private server?: http.Server;
  private failuresLeft = 0;
  private readonly all: SlackMessage[] = [];

  constructor(private readonly options: SlackSinkOptions = {}) {}

  /** Listens on 127.0.0.1 at a free port; returns the webhook URL to give Alertmanager. */
  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const port = (this.server!.address() as AddressInfo).port;
    return `http://127.0.0.1:${port}/services/local-sink`;
  }

  /** Answer 500 to the next `n` messages (each counts as one failed delivery attempt). */
  failNext(n: number): void {
    this.failuresLeft = n;
  }

  /** Delivered messages (answered 200), in arrival order. */
  delivered(): SlackMessage[] {
    return this.all.filter((m) => !m.rejected);
  }

  /** Rejected attempts (answered 500). */
  rejected(): SlackMessage[] {
    return this.all.filter((m) => m.rejected);
  }

  /** Delivered messages for one alert and status. */
  find(alertname: string, status?: SlackMessage['status']): SlackMessage[] {
    return this.delivered().filter((m) => m.alertname === alertname && (status === undefined || m.status === status));
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      let body: any;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400).end('invalid_payload');
        return;
      }
      const rejected = this.failuresLeft > 0;
      if (rejected) this.failuresLeft--;
      const a = body.attachments?.[0] ?? {};
      const title = String(a.title ?? body.text ?? '');
      const m: SlackMessage = {
        at: Date.now(),
        channel: String(body.channel ?? ''),
        status: /^\[FIRING/.test(title) ? 'firing' : /^\[RESOLVED/.test(title) ? 'resolved' : 'unknown',
        alertname: /^\[[^\]]*\]\s+(\S+)/.exec(title)?.[1] ?? '',
        title,
        titleLink: String(a.title_link ?? ''),
        text: String(a.text ?? ''),
        color: String(a.color ?? ''),
        rejected,
      };
      this.all.push(m);
      this.options.onMessage?.(m);
      if (rejected) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal_error');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  }
}
