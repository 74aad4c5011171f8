/**
 * Sending through SMTP (nodemailer), and an SMTP listener (smtp-server) that takes replies and
 * bounces for the team's address and hands each raw message on.
 */
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import type { ComposedMessage } from './message.js';

export interface SmtpOptions {
  readonly host: string;
  readonly port: number;
  /** TLS from the start (465); otherwise STARTTLS when offered. */
  readonly secure?: boolean;
  readonly auth?: { readonly user: string; readonly pass: string };
  /** The team's address: From, and where replies come back. */
  readonly from: string;
  readonly fromName?: string;
}

export interface Outgoing {
  readonly to: string;
  readonly message: ComposedMessage;
  /** A reminder is sent in the thread of the first message. */
  readonly inReplyTo?: string;
}

export interface Sender {
  send(mail: Outgoing): Promise<{ messageId: string }>;
  close(): void;
}

export function smtpSender(options: SmtpOptions): Sender {
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure ?? false,
    ...(options.auth ? { auth: { user: options.auth.user, pass: options.auth.pass } } : {}),
    // Loopback relays in tests and small setups offer no certificate worth checking.
    tls: { rejectUnauthorized: options.host !== '127.0.0.1' && options.host !== 'localhost' },
  });
  return {
    async send(mail) {
      const info = await transport.sendMail({
        from: options.fromName ? { name: options.fromName, address: options.from } : options.from,
        to: mail.to,
        subject: mail.message.subject,
        text: mail.message.text,
        ...(mail.message.html ? { html: mail.message.html } : {}),
        attachments: mail.message.attachments.map((a) => ({
          filename: a.filename,
          content: a.content,
          contentType: a.contentType,
        })),
        ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo, references: [mail.inReplyTo] } : {}),
      });
      return { messageId: info.messageId };
    },
    close() {
      transport.close();
    },
  };
}

export interface Listener {
  readonly port: number;
  close(): Promise<void>;
}

/** Accepts mail on host:port (no relaying: every message is for Vigil) up to `maxBytes` each. */
export function listenForMail(
  host: string,
  port: number,
  onMessage: (raw: Buffer) => Promise<void>,
  maxBytes = 25 * 1024 * 1024,
): Promise<Listener> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxBytes,
    logger: false,
    onData(stream, _session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          done(Object.assign(new Error('message too large'), { responseCode: 552 }));
          return;
        }
        onMessage(Buffer.concat(chunks)).then(
          () => done(),
          (error: unknown) =>
            done(
              Object.assign(new Error(`not accepted: ${(error as Error).message}`), { responseCode: 451 }),
            ),
        );
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
