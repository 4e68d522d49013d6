import User, { type UserRole } from '#models/user'

let serial = 0

/**
 * A console user for a test. Operators belong to no tenant; everyone else to
 * `tenantId`. Password: `correct horse battery staple`.
 */
export async function createConsoleUser(role: UserRole, tenantId: string | null = null) {
  serial += 1
  return User.create({
    email: `${role}-${Date.now()}-${serial}@console.test`,
    password: CONSOLE_TEST_PASSWORD,
    role,
    tenantId: role === 'operator' ? null : tenantId,
  })
}

export const CONSOLE_TEST_PASSWORD = 'correct horse battery staple'
