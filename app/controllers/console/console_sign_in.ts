import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'
import { findEnabledUser } from '#people/enabled_user'
import { forgetCandidate } from '#controllers/console/two_factor_candidate'

/** Between a right password and a right code: whose, and until when */
const PENDING_KEY = 'console.pendingSignIn'
const PENDING_FOR_MS = 10 * 60_000

interface PendingSignIn {
  userId: string
  until: number
}

/**
 * Starts the signed-in session: a new session id (the guard's login
 * regenerates it), tagged with the user's id so a new password or a disabled
 * account can end every session of theirs.
 */
export async function startSession(ctx: HttpContext, user: User) {
  ctx.session.forget(PENDING_KEY)
  forgetCandidate(ctx)
  await ctx.auth.use('web').login(user)
  await ctx.session.tag(String(user.id))
}

/** The password was right but a code must follow: remembered in this session only, for 10 minutes */
export function awaitSecondFactor(ctx: HttpContext, user: User) {
  ctx.session.regenerate()
  const pending: PendingSignIn = { userId: String(user.id), until: Date.now() + PENDING_FOR_MS }
  ctx.session.put(PENDING_KEY, pending)
}

/** Whose code this session is waiting for; null when none (or too late) */
export async function pendingSignIn(ctx: HttpContext) {
  const pending = ctx.session.get(PENDING_KEY) as PendingSignIn | undefined
  if (!pending || pending.until < Date.now()) return null
  return findEnabledUser(pending.userId)
}
