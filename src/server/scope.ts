/**
 * What of the incidents a principal may see: everyone only up to their TLP clearance, a constituent
 * only its own organisation's. Unlabelled incidents are AMBER: for the CERT's staff.
 */
import { tlpAllows } from '../core/tlp.js';
import { DEFAULT_INCIDENT_TLP, type IncidentHandling } from '../store/index.js';
import type { Principal } from './auth/principal.js';
import type { Case } from '../cases/model.js';

export function canSeeIncident(principal: Principal, handling: IncidentHandling | undefined): boolean {
  const tlp = handling?.tlp ?? DEFAULT_INCIDENT_TLP;
  if (!tlpAllows(principal.user.tlpClearance, tlp)) return false;
  if (principal.user.role === 'constituent')
    return handling?.organisation != null && handling.organisation === principal.user.organisation;
  return true;
}

/** A case: up to the reader's TLP clearance; a constituent only when its organisation is affected. */
export function canSeeCase(principal: Principal, c: Case): boolean {
  if (!tlpAllows(principal.user.tlpClearance, c.tlp)) return false;
  if (principal.user.role === 'constituent')
    return principal.user.organisation !== null && c.organisations.includes(principal.user.organisation);
  return true;
}
