/** The people and machines that use a Vigil server, by what they do (docs/server.md has the matrix). */
export const ROLES = ['admin', 'coordinator', 'analyst', 'constituent', 'partner', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
