import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'

const SELECTED_TENANT_KEY = 'console.tenantId'

/**
 * Which tenant a console request works on: a tenant's people always their own;
 * an operator the tenant picked in the header's switcher, or none (every
 * tenant's messages, the system providers).
 */
export function tenantIdOf(ctx: HttpContext): string | null {
  const user = ctx.consoleUser
  if (!user.isOperator) return user.tenantId
  return ctx.session.get(SELECTED_TENANT_KEY) ?? null
}

export function selectTenant(ctx: HttpContext, tenantId: string | null) {
  if (tenantId) ctx.session.put(SELECTED_TENANT_KEY, tenantId)
  else ctx.session.forget(SELECTED_TENANT_KEY)
}

/** May this person see what belongs to `tenantId` (null: the system's)? */
export function canSee(user: User, tenantId: string | null) {
  return user.isOperator || (tenantId !== null && tenantId === user.tenantId)
}

declare module '@adonisjs/core/http' {
  interface HttpContext {
    /** The signed-in person on a console route (set by the console auth middleware) */
    consoleUser: User
  }
}
