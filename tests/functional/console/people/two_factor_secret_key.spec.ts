import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import User from '#models/user'
import { AuditLog } from '#messaging/audit/audit_log'
import { operatorActor } from '#messaging/audit/audit_actors'
import { CredentialsCipher, generateCredentialsKey } from '#messaging/accounts/credentials_cipher'
import { sealedRow, USER_TOTP_SECRET } from '#messaging/accounts/credentials_columns'
import { CredentialsRotation } from '#messaging/accounts/credentials_rotation'
import { TwoFactor } from '#people/two_factor'
import { testCredentialsKey } from '#tests/helpers/credentials'
import { createConsoleUser } from '#tests/helpers/console_users'
import { totpCode } from '#tests/helpers/console_agent'

test.group('Two-factor secrets and the credentials key ring', () => {
  test('credentials:rotate-key moves a TOTP secret left under a previous key under the current one; codes still work', async ({
    assert,
  }) => {
    const operator = await createConsoleUser('operator')
    const twoFactor = await app.container.make(TwoFactor)
    const secret = twoFactor.newSecret()
    assert.isTrue(await twoFactor.enrol(operator, secret, totpCode(secret), operatorActor()))
    const row = sealedRow(USER_TOTP_SECRET, { id: String(operator.id), tenantId: null })
    const oldKey = generateCredentialsKey()
    const underOldKey = new CredentialsCipher(oldKey).encrypt({ secret }, row)
    await User.query().where('id', operator.id).update({ totp_secret: underOldKey })

    const report = await new CredentialsRotation(
      new CredentialsCipher(testCredentialsKey(), [oldKey]),
      new AuditLog()
    ).run(operatorActor())

    assert.isAtLeast(report.columns['users.totp_secret'].rotated, 1)
    assert.notInclude(
      report.unreadable.map((value) => value.column),
      USER_TOTP_SECRET.label
    )
    const rotated = await User.findOrFail(operator.id)
    assert.notEqual(rotated.totpSecret, underOldKey)
    assert.isTrue(new CredentialsCipher(testCredentialsKey()).isCurrent(rotated.totpSecret!))
    // The app's next code (the current one enrolled)
    assert.isTrue(await twoFactor.verify(rotated, totpCode(secret, Date.now() + 30_000)))
  })

  test('a secret copied onto another user does not open there', async ({ assert, cleanup }) => {
    const first = await createConsoleUser('operator')
    const second = await createConsoleUser('operator')
    const twoFactor = await app.container.make(TwoFactor)
    const secret = twoFactor.newSecret()
    await twoFactor.enrol(first, secret, totpCode(secret), operatorActor())
    const enrolled = await User.findOrFail(first.id)
    await User.query().where('id', second.id).update({ totp_secret: enrolled.totpSecret })
    // A value no key opens stops every later start (the start-up key check): not left behind
    cleanup(async () => {
      await User.query().where('id', second.id).update({ totp_secret: null })
    })
    const copy = await User.findOrFail(second.id)
    await assert.rejects(() => twoFactor.verify(copy, totpCode(secret)))
  })
})
