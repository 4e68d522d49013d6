import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'
import type { TwoFactor } from '#people/two_factor'

/**
 * The key someone is enrolling with, kept in their session until a code from
 * it is right (TwoFactor.enrol then stores it on the account): opening the
 * enrolment page writes nothing, and a reload shows the same key. Kept as it
 * is: the session lives server-side (Redis), its cookie holds only its id.
 */
const CANDIDATE_KEY = 'console.twoFactorCandidate'

interface Candidate {
  userId: string
  secret: string
}

/** The key this session enrols the user with: the one shown before, else a new one */
export function candidateSecret(ctx: HttpContext, user: User, twoFactor: TwoFactor) {
  const kept = keptCandidate(ctx, user)
  if (kept) return kept
  const candidate: Candidate = { userId: String(user.id), secret: twoFactor.newSecret() }
  ctx.session.put(CANDIDATE_KEY, candidate)
  return candidate.secret
}

/** The key this session showed the user to enrol with; null when none */
export function keptCandidate(ctx: HttpContext, user: User) {
  const kept = ctx.session.get(CANDIDATE_KEY) as Candidate | undefined
  return kept?.userId === String(user.id) ? kept.secret : null
}

/** Enrolled (or signed in): the key is the account's now */
export function forgetCandidate(ctx: HttpContext) {
  ctx.session.forget(CANDIDATE_KEY)
}
