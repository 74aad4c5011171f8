/** Parses one Sigma correlation document. (Placeholder until the correlation engine lands.) */
import type { Issue } from '../../../core/issue.js';
import { issue } from '../../../core/issue.js';
import type { CorrelationRule } from './types.js';

export interface DocumentLocation {
  readonly file: string;
  readonly line?: number;
}

/** A parsed correlation rule, or every problem found in the document. */
export function parseCorrelation(
  _document: Readonly<Record<string, unknown>>,
  where: DocumentLocation,
): CorrelationRule | Issue[] {
  return [issue('sigma.correlation.unsupported', 'correlation rules are not supported yet', where)];
}
