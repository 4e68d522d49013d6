import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import limiter from '@adonisjs/limiter/services/main'
import { DateTime } from 'luxon'
import edge from 'edge.js'
import User from '#models/user'
import UserToken from '#models/user_token'
import { AuditLog } from '#messaging/audit/audit_log'
import { userActor } from '#messaging/audit/audit_actors'
import { ConsoleMailer } from '#people/console_mail'
import { ConsoleLinks } from '#people/console_links'
import { UserSessions } from '#people/user_sessions'
import { markUsed, newToken, usableToken } from '#people/user_tokens'

const VALID_FOR = { minutes: 60 }
/** Reset emails one address can be sent: enough for a lost email, too few to flood an inbox */
const EMAILS_PER_ADDRESS = { requests: 3, duration: '15 mins' }

/**
 * "Forgot password": a single-use link, valid for an hour, emailed through
 * Switchboard's own pipeline. Asking reveals nothing: the caller answers the
 * same whether or not the account exists (or was emailed recently), and
 * without waiting for `request` (DeferredWork), whose time and failures
 * depend on it. Setting the new password spends the link and ends every
 * session of the account.
 */
@inject()
export class PasswordReset {
  constructor(
    private mailer: ConsoleMailer,
    private links: ConsoleLinks,
    private sessions: UserSessions,
    private audit: AuditLog
  ) {}

  /** Sends a link when the email is an enabled account's; nothing otherwise */
  async request(email: string) {
    const user = await User.findBy('email', email.trim().toLowerCase())
    if (!user || user.disabledAt) return
    const allowance = await limiter
      .use('people', EMAILS_PER_ADDRESS)
      .attempt(`reset:${user.email}`, () => true)
    if (!allowance) return
    const { token, hash } = newToken()
    await UserToken.create({
      kind: 'password_reset',
      tokenHash: hash,
      userId: user.id,
      tenantId: user.tenantId,
      email: user.email,
      expiresAt: DateTime.now().plus(VALID_FOR),
    })
    const link = this.links.passwordReset(token)
    const minutes = VALID_FOR.minutes
    await this.mailer.send({
      to: user.email,
      messageType: 'console.password_reset',
      subject: 'Reset your Switchboard password',
      text:
        `Someone asked to reset the password of your Switchboard console account.\n\n` +
        `Set a new password here (the link works once, for ${minutes} minutes):\n${link}\n\n` +
        `If it was not you, ignore this email: your password stays as it is.`,
      html: await edge.render('emails/password_reset', { link, minutes }),
      sourceType: 'user',
      sourceId: String(user.id),
    })
  }

  /** The account a link resets, while the link can be used; null otherwise */
  async find(token: string) {
    const row = await usableToken('password_reset', token)
    return row ? User.find(row.userId) : null
  }

  /** Sets the password; null when the link is unknown, used or expired */
  async reset(token: string, password: string) {
    const user = await db.transaction(async (trx) => {
      const row = await usableToken('password_reset', token, trx)
      if (!row) return null
      const account = await User.find(row.userId, { client: trx })
      if (!account) return null
      account.password = password
      await account.save()
      await markUsed(row, trx)
      await this.audit.record(
        {
          tenantId: account.tenantId,
          actor: userActor(account),
          action: 'user.password_reset',
          targetType: 'user',
          targetId: String(account.id),
        },
        trx
      )
      return account
    })
    if (user) await this.sessions.endAll(user)
    return user
  }
}
