// Where the shared corpora live: ../shared/data beside the checkout (or VIGIL_SHARED_DATA).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SHARED_DATA =
  process.env.VIGIL_SHARED_DATA ?? resolve(import.meta.dirname, '../../../shared/data');

/** Under CI a missing corpus is a failure, elsewhere a loud skip reason. */
export function corpusMissing(relative: string): string | false {
  if (existsSync(join(SHARED_DATA, relative))) return false;
  if (process.env.CI === 'true') throw new Error(`corpus ${relative} missing under ${SHARED_DATA}`);
  const reason = `SKIPPED: corpus ${relative} not found under ${SHARED_DATA}`;
  process.stderr.write(`\n*** ${reason} ***\n`);
  return reason;
}
