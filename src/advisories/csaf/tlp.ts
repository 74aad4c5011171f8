/** The TLP label of a CSAF 2.0 document, in TLP 2.0 terms (CSAF 2.0 still says WHITE for CLEAR). */
import { isTlp, type Tlp } from '../../core/tlp.js';
import { prop, str } from '../json.js';

export function csafTlp(document: unknown): Tlp | undefined {
  const label = str(prop(prop(prop(prop(document, 'document'), 'distribution'), 'tlp'), 'label'));
  if (label === 'WHITE') return 'CLEAR';
  return isTlp(label) ? label : undefined;
}
