/**
 * What of the incidents, cases and advisories a principal may see: everyone only up to their TLP clearance, a
 * constituent only its own organisation's. Unlabelled incidents are AMBER: for the CERT's staff.
 */
import { tlpAllows } from '../core/tlp.js';
import { DEFAULT_INCIDENT_TLP, type IncidentHandling } from '../store/index.js';
import type { Principal } from './auth/principal.js';
import type { Case } from '../cases/model.js';
import type { Tlp } from '../core/tlp.js';
import type { OwnAdvisory } from '../advisories/own/model.js';

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

/** An organisation's inventory and matches: the CERT's staff any; a constituent only its own. */
export function canSeeOrganisation(principal: Principal, organisationId: string): boolean {
  if (principal.user.role === 'constituent') return principal.user.organisation !== null && principal.user.organisation === organisationId;
  return true;
}

/**
 * One of our own advisories: the CERT's staff every one (drafts and reviews are their work); a constituent only a
 * published one that was sent to its organisation, up to its clearance.
 */
export function canSeeOwnAdvisory(principal: Principal, a: Pick<OwnAdvisory, 'status' | 'tlp' | 'organisationIds'>): boolean {
  if (principal.user.role !== 'constituent') return true;
  const org = principal.user.organisation;
  return a.status === 'published' && org !== null && a.organisationIds.includes(org) && tlpAllows(principal.user.tlpClearance, a.tlp);
}

/**
 * A match of an organisation's software, shown to a constituent of that organisation: an advisory published
 * (imported, or ours once published) up to its clearance. An imported CSAF document without a TLP label is
 * not assumed public: it counts as AMBER. CVE records are public.
 */
export function constituentMaySeeAdvisory(principal: Principal, tlp: Tlp | undefined): boolean {
  return principal.user.role !== 'constituent' || tlpAllows(principal.user.tlpClearance, tlp ?? 'AMBER');
}
