import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * Real receivers for delivery tests, on loopback ports: an HTTP endpoint (a hotline's webhook, an
 * SMS gateway) and an SMTP server. Each keeps what arrived, and — as a well-behaved receiver
 * does — processes a message once per idempotency key, counting the repeats it dropped.
 */

export interface Received {
  readonly key: string;
  readonly headers: IncomingHttpHeaders | Record<string, string>;
  readonly body: string;
}

export interface Receiver {
  readonly url: string;
  /** Everything that arrived and was answered 2xx, repeats included. */
  readonly arrivals: Received[];
  /** Messages processed: one per idempotency key. */
  readonly processed: Map<string, Received>;
  /** How many repeats were dropped by key. */
  repeats(): number;
  /** `up` answers 200; `down` answers 503; each request waits `delayMs` first. */
  mode: 'up' | 'down';
  delayMs: number;
  close(): Promise<void>;
}

/** A receiver's bookkeeping, up and answering at once; `close` stops its server. */
function receiverState(close: () => Promise<void>): Receiver {
  const state: Receiver = {
    url: '',
    arrivals: [],
    processed: new Map(),
    repeats: () => state.arrivals.length - state.processed.size,
    mode: 'up',
    delayMs: 0,
    close,
  };
  return state;
}

function track(key: string, received: Received, r: Pick<Receiver, 'arrivals' | 'processed'>) {
  r.arrivals.push(received);
  if (!r.processed.has(key)) r.processed.set(key, received);
}

/** An HTTP receiver; the key is the `webhook-id` or `idempotency-key` header. */
export async function startHttpReceiver(): Promise<Receiver> {
  const state = receiverState(() => new Promise((resolve) => server.close(() => resolve())));
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      setTimeout(() => {
        if (state.mode === 'down') {
          res.writeHead(503).end('down');
          return;
        }
        const key = String(req.headers['webhook-id'] ?? req.headers['idempotency-key'] ?? '');
        track(key, { key, headers: req.headers, body: `${req.url ?? ''}\n${body}` }, state);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }, state.delayMs);
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { url: `http://127.0.0.1:${port}` });
}

/** The path and JSON body of an HTTP arrival. */
export const partsOf = (r: Received): { path: string; json: Record<string, unknown>; raw: string } => {
  const [path = '', ...rest] = r.body.split('\n');
  const raw = rest.join('\n');
  return { path, json: JSON.parse(raw) as Record<string, unknown>, raw };
};

/** An SMTP server (no TLS, no auth); the key is the `X-Bihuan-Idempotency-Key` header. */
export async function startSmtpReceiver(): Promise<Receiver> {
  const state = receiverState(() => new Promise((resolve) => server.close(() => resolve())));
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        setTimeout(() => {
          if (state.mode === 'down') {
            const err = Object.assign(new Error('service not available'), { responseCode: 421 });
            callback(err);
            return;
          }
          const key = /^X-Bihuan-Idempotency-Key: (\S+)/im.exec(raw)?.[1] ?? '';
          const to = session.envelope.rcptTo.map((a) => a.address).join(',');
          track(key, { key, headers: { to }, body: raw }, state);
          callback();
        }, state.delayMs);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return Object.assign(state, { url: `smtp://127.0.0.1:${port}` });
}
