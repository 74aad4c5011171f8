/**
 * What each role may do, as one table. Routes name a permission; the authorisation matrix test
 * (test/server/authorisation.test.ts) asserts every role × route × TLP cell against its own table.
 * Constituents and partners also see only what their organisation and TLP clearance allow (scope.ts).
 */
import type { Role } from '../../core/roles.js';

const STAFF: readonly Role[] = ['admin', 'coordinator', 'analyst', 'auditor'];
const OPERATORS: readonly Role[] = ['admin', 'coordinator', 'analyst'];

export const PERMISSIONS = {
  'events:read': STAFF,
  'detections:read': STAFF,
  'incidents:read': [...STAFF, 'constituent'],
  'incidents:handle': ['admin', 'coordinator'],
  'evidence:upload': OPERATORS,
  'jobs:read': STAFF,
  'jobs:control': OPERATORS,
  'rules:read': STAFF,
  'rules:write': ['admin', 'analyst'],
  'hunt:run': OPERATORS,
  'users:read': ['admin', 'auditor'],
  'users:manage': ['admin'],
  'audit:read': ['admin', 'auditor'],
  'share:read': ['admin', 'coordinator', 'partner'],
  'cases:read': [...STAFF, 'constituent'],
  'cases:handle': OPERATORS,
  'cases:comment': [...OPERATORS, 'constituent'],
  'cases:audit': STAFF,
  'templates:read': STAFF,
  'figures:read': STAFF,
  // Which TLP of the weekly report each role reads is decided in routes/reports.ts (mayReadReport).
  'reports:read': [...STAFF, 'constituent', 'partner'],
  'templates:manage': ['admin', 'coordinator'],
  'constituency:read': STAFF,
  'constituency:manage': ['admin', 'coordinator'],
  // A constituent reads the advisories published to it and its own organisation's matches (scope.ts).
  'advisories:read': [...STAFF, 'constituent'],
  'advisories:records': STAFF,
  'advisories:write': OPERATORS,
  'advisories:publish': ['admin', 'coordinator'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(value: string): value is Permission {
  return value in PERMISSIONS;
}

export function roleAllows(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export function permissionsOf(role: Role): Permission[] {
  return ALL_PERMISSIONS.filter((p) => roleAllows(role, p));
}
