import { createServer, type Server } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Logger } from '../../infra/logger.js';
import { StartupError } from '../../infra/startup-error.js';

/**
 * What `npm start` delivers to when no real channel is configured (development only): a local SMTP
 * server (the `smtp-server` package) and an HTTP receiver standing in for the SMS gateway and the
 * hotlines' webhooks. Each logs one line per message, the phone masked, so a newcomer sees a
 * feedback SMS leave; `GET /dev/outbox` on the API shows every delivery with what it said.
 */
export interface DevSinks {
  readonly smtpUrl: string;
  readonly httpUrl: string;
  stop(): Promise<void>;
}

const maskPhone = (phone: unknown) => String(phone).replace(/^(.{3}).*(.{4})$/, '$1****$2');

export async function startDevSinks(opts: {
  smtpPort: number;
  httpPort: number;
  log: Logger;
}): Promise<DevSinks> {
  const log = opts.log.child({ component: 'dev-sinks' });
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        // Subjects come MIME-encoded (=?UTF-8?B?…?=): shown as people read them.
        const subject = (/^Subject: (.*(?:\r?\n[ \t].*)*)/im.exec(raw)?.[1] ?? '').replace(
          /=\?UTF-8\?B\?([^?]*)\?=\s*/gi,
          (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'),
        );
        log.info(
          { to: session.envelope.rcptTo.map((a) => a.address), subject },
          'e-mail received by the dev SMTP sink',
        );
        callback();
      });
    },
  });
  const http: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        // not JSON: logged by path only
      }
      if (req.url?.startsWith('/sms'))
        log.info(
          { to: maskPhone(json.to), templateId: json.templateId, params: json.params },
          'SMS received by the dev gateway sink',
        );
      else log.info({ path: req.url, type: json.type }, 'webhook received by the dev hotline sink');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  const listen = (server: NetServer, port: number, setting: string) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new StartupError(
            setting,
            `the development sink cannot listen on port ${port} (${err.code ?? err.message}): set ${setting} to a free port`,
          ),
        ),
      );
      server.listen(port, '127.0.0.1', () => resolve());
    });
  await listen(smtp.server, opts.smtpPort, 'DEV_SMTP_PORT');
  await listen(http, opts.httpPort, 'DEV_SINK_PORT').catch(async (err: unknown) => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    throw err;
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const httpPort = (http.address() as AddressInfo).port;
  log.info(
    `development sinks: SMTP smtp://127.0.0.1:${smtpPort}, SMS and webhooks http://127.0.0.1:${httpPort}`,
  );
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    async stop() {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
