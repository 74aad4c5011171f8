/**
 * The one HTTP error type, and the one place errors become responses: a code and a message the
 * caller can act on, never a stack trace; anything unexpected is logged and answered with a 500 that
 * says nothing about the internals.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, 'not-found', `${what} not found`);
export const forbidden = (why = 'your role does not allow this'): HttpError =>
  new HttpError(403, 'forbidden', why);
export const badRequest = (code: string, message: string): HttpError => new HttpError(400, code, message);

/** Fastify's client-error codes under our names. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad-request',
  FST_REQ_FILE_TOO_LARGE: 'file-too-large',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'multipart-required',
};

export interface ErrorBody {
  readonly error: string;
  readonly message: string;
}

export function errorHandler(
  error: FastifyError | HttpError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  if (error instanceof HttpError) {
    void reply.status(error.status).send({ error: error.code, message: error.message } satisfies ErrorBody);
    return;
  }
  const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (error.validation) {
    void reply.status(400).send({ error: 'invalid-request', message: error.message });
    return;
  }
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (malformed JSON, body too large, wrong content type) say what is wrong.
    const code = FASTIFY_CODES[error.code] ?? 'bad-request';
    void reply.status(status).send({ error: code, message: error.message });
    return;
  }
  request.log.error({ err: error }, 'request failed');
  void reply.status(500).send({ error: 'internal', message: 'the server could not complete this request' });
}
