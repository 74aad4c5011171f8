/** The one exception type; thrown only at the edges (CLI exit, HTTP response), never inside a stream. */
import { formatLocation, type IssueLocation } from './issue.js';

export class VigilError extends Error {
  readonly code: string;
  readonly where: IssueLocation | undefined;

  constructor(code: string, message: string, where?: IssueLocation) {
    super(where ? `${formatLocation(where)}: ${message}` : message);
    this.name = 'VigilError';
    this.code = code;
    this.where = where;
  }
}
