import type User from '#models/user'

/** A person as the audit log keeps them: never the password or the TOTP secret */
export function userView(user: User) {
  return {
    id: String(user.id),
    email: user.email,
    fullName: user.fullName,
    role: user.role,
    tenantId: user.tenantId,
    twoFactor: user.totpEnabledAt !== null,
    disabledAt: user.disabledAt?.toISO() ?? null,
  }
}
