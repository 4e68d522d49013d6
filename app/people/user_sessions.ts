import { inject } from '@adonisjs/core'
import { SessionCollection } from '@adonisjs/session'

/**
 * A person's console sessions, found by the user id each was tagged with at
 * sign-in (the sessions live in Redis), so a new password or a disabled
 * account ends them everywhere at once.
 */
@inject()
export class UserSessions {
  constructor(private sessions: SessionCollection) {}

  /** Ends every session of the user but `keep` (the one making the change) */
  async endAll(user: { id: number }, keep?: string) {
    for (const session of await this.sessions.tagged(String(user.id))) {
      if (session.id !== keep) await this.sessions.destroy(session.id)
    }
  }
}
