import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { Secret, TOTP } from 'otpauth'
import QRCode from 'qrcode'
import { CredentialsCipher } from '#messaging/accounts/credentials_cipher'
import { sealedRow, USER_TOTP_SECRET } from '#messaging/accounts/credentials_columns'
import { AuditLog, type AuditActor } from '#messaging/audit/audit_log'
import User from '#models/user'
import { userActor } from '#messaging/audit/audit_actors'
import { PeopleRuleException } from '#people/people_exceptions'
import { assertCurrentPassword } from '#people/current_password'

/** RFC 6238 as every authenticator app reads it: SHA1, 6 digits, 30 s */
const TOTP_SETTINGS = { issuer: 'Switchboard', algorithm: 'SHA1', digits: 6, period: 30 }
/** A code of the step before or after also passes: clocks drift */
const WINDOW = 1

/** What the enrolment page shows the person enrolling, and no one else */
export interface Enrolment {
  /** Base32, for typing into an app by hand */
  secret: string
  /** The otpauth:// URI as an inline SVG QR code */
  qrSvg: string
}

/**
 * TOTP two-factor sign-in. A new key is only shown (the caller keeps it, in
 * the enrolling person's session) until a first right code from it enrols:
 * only then is it stored, sealed with the credentials key ring (so
 * credentials:rotate-key re-seals it too), and two-factor on. A code is
 * accepted once: the step it was accepted for is kept, and only a later step
 * passes after it.
 */
@inject()
export class TwoFactor {
  constructor(
    private cipher: CredentialsCipher,
    private audit: AuditLog
  ) {}

  /** A new key to enrol with: nothing is stored until `enrol` */
  newSecret() {
    return new Secret({ size: 20 }).base32
  }

  /** What the enrolment page shows for the key: the key itself and its QR code */
  async enrolment(user: User, secret: string): Promise<Enrolment> {
    if (user.totpEnabledAt) throw new PeopleRuleException('Two-factor sign-in is already on')
    const uri = this.#totp(user, secret).toString()
    return { secret, qrSvg: await QRCode.toString(uri, { type: 'svg', margin: 1 }) }
  }

  /**
   * True when the code is right for now (±1 step) and of a later step than
   * the last code accepted; that step is then the last one. Two requests with
   * the same code: one passes.
   */
  async verify(user: User, code: string): Promise<boolean> {
    const secret = this.#secretOf(user)
    if (!secret) return false
    const step = this.#stepOf(user, secret, code)
    if (step === null) return false
    const taken = await db.rawQuery(
      `UPDATE users SET totp_last_step = ?
       WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)
       RETURNING id`,
      [step, user.id, step]
    )
    return taken.rows.length === 1
  }

  /**
   * Turns two-factor on with the key the person's app was given, once a code
   * from it is right: the key is stored now, with the code's step as the last
   * one accepted. False for a wrong code, or when two-factor was turned on
   * meanwhile (in another session, with another key).
   */
  async enrol(user: User, secret: string, code: string, actor: AuditActor): Promise<boolean> {
    const step = this.#stepOf(user, secret, code)
    if (step === null) return false
    return db.transaction(async (trx) => {
      const row = await User.query({ client: trx }).where('id', user.id).forUpdate().firstOrFail()
      if (row.totpEnabledAt) return false
      row.totpSecret = this.cipher.encrypt({ secret }, this.#row(row))
      row.totpEnabledAt = DateTime.now()
      await row.save()
      await trx.rawQuery('UPDATE users SET totp_last_step = ? WHERE id = ?', [step, row.id])
      await this.audit.record(
        {
          tenantId: row.tenantId,
          actor,
          action: 'user.two_factor_enabled',
          targetType: 'user',
          targetId: String(row.id),
        },
        trx
      )
      return true
    })
  }

  /** Off, by a tenant's person who chose it, with their password; operators must keep it */
  async disable(user: User, currentPassword: string) {
    if (user.isOperator) {
      throw new PeopleRuleException('Operators must keep two-factor sign-in on')
    }
    await assertCurrentPassword(user, currentPassword)
    await this.#clear(user, 'user.two_factor_disabled', userActor(user))
  }

  /**
   * Cleared for someone who lost their authenticator (by an operator, with
   * users:reset-two-factor): whoever must use it enrols again at their next
   * sign-in, with a new secret.
   */
  async reset(user: User, actor: AuditActor) {
    await this.#clear(user, 'user.two_factor_reset', actor)
  }

  /** No secret, not enabled, no last code: as before enrolment */
  async #clear(user: User, action: string, actor: AuditActor) {
    await db.transaction(async (trx) => {
      user.useTransaction(trx)
      user.totpSecret = null
      user.totpEnabledAt = null
      await user.save()
      await trx.rawQuery('UPDATE users SET totp_last_step = NULL WHERE id = ?', [user.id])
      await this.audit.record(
        { tenantId: user.tenantId, actor, action, targetType: 'user', targetId: String(user.id) },
        trx
      )
    })
  }

  #secretOf(user: User) {
    if (!user.totpSecret) return null
    return this.cipher.decrypt<{ secret: string }>(user.totpSecret, this.#row(user)).secret
  }

  /** The time step the code is right for (now, ±1 step); null when it is wrong */
  #stepOf(user: User, secret: string, code: string) {
    const now = Date.now()
    const delta = this.#totp(user, secret).validate({ token: code, timestamp: now, window: WINDOW })
    if (delta === null) return null
    return TOTP.counter({ period: TOTP_SETTINGS.period, timestamp: now }) + delta
  }

  #row(user: User) {
    return sealedRow(USER_TOTP_SECRET, { id: String(user.id), tenantId: user.tenantId })
  }

  #totp(user: User, secret: string) {
    return new TOTP({ ...TOTP_SETTINGS, label: user.email, secret: Secret.fromBase32(secret) })
  }
}
