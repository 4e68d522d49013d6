import { test } from '@japa/runner'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { TwilioFakeServer } from '#messaging/vendors/twilio/fake'
import CommsProvidersTest from '#commands/comms_providers_test'
import { createTenant } from '#tests/helpers/tenants'
import { createProviderConfig } from '#tests/helpers/webhooks'
import { runCommand } from '#tests/helpers/commands'

const POSTAL_KEY = 'postal-ops-key-5555'
const TWILIO_SID = `AC${'0ddba11'.padEnd(8, '0').repeat(4)}`
const TWILIO_TOKEN = 'twilio-ops-token-6666'
const WRONG_TOKEN = 'twilio-wrong-token-7777'

/** The table row of one config: config|name|owner|type|channel|enabled|ok|detail */
function rowOf(logs: string[], configId: string) {
  const row = logs.find((line) => line.startsWith(`${configId}|`))
  if (!row) return null
  const [, name, owner, type, channel, enabled, ok, detail] = row.split('|')
  return { name, owner, type, channel, enabled, ok, detail }
}

test.group('comms:providers:test', (group) => {
  const postal = new PostalFakeServer({ apiKey: POSTAL_KEY })
  const twilio = new TwilioFakeServer({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN })

  group.setup(async () => {
    await Promise.all([postal.start(0), twilio.start(0)])
    return async () => {
      await Promise.all([postal.stop(), twilio.stop()])
    }
  })

  const postalConfig = () => ({
    baseUrl: postal.baseUrl,
    apiKey: POSTAL_KEY,
    from: 'ops@example.com',
  })
  const twilioConfig = (authToken: string) => ({
    accountSid: TWILIO_SID,
    authToken,
    from: '+15005550006',
    baseUrl: twilio.baseUrl,
  })

  test('--tenant: each of the tenant’s configs checked against its provider, no secret shown', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const other = await createTenant()
    const good = await createProviderConfig(
      GatewayType.Postal,
      Channel.Email,
      postalConfig(),
      tenant.id
    )
    const bad = await createProviderConfig(
      GatewayType.Twilio,
      Channel.Sms,
      twilioConfig(WRONG_TOKEN),
      tenant.id
    )
    const notTheirs = await createProviderConfig(
      GatewayType.Postal,
      Channel.Email,
      postalConfig(),
      other.tenant.id
    )

    const { command, logs, output } = await runCommand(CommsProvidersTest, [
      `--tenant=${tenant.id}`,
    ])

    assert.equal(command.exitCode, 1, 'a failed check fails the command')
    assert.include(rowOf(logs, good.id), {
      owner: tenant.id,
      type: 'postal',
      channel: 'email',
      enabled: 'no',
    })
    assert.include(rowOf(logs, good.id)!.ok, 'ok')
    assert.include(rowOf(logs, good.id)!.detail, 'NoRecipients')
    assert.include(rowOf(logs, bad.id)!.ok, 'failed')
    assert.include(rowOf(logs, bad.id)!.detail, 'TWILIO_20003')
    assert.isNull(rowOf(logs, notTheirs.id), 'another tenant’s config is not tested')
    assert.include(output, '1 of 2 checks failed')
    for (const secret of [POSTAL_KEY, WRONG_TOKEN, TWILIO_TOKEN]) {
      assert.notInclude(output, secret)
    }
    assert.equal(postal.sendsByMessageId.size, 0, 'a check sends nothing')
  })

  test('one config by id, a system default included', async ({ assert }) => {
    const system = await createProviderConfig(
      GatewayType.Twilio,
      Channel.Sms,
      twilioConfig(TWILIO_TOKEN)
    )

    const { command, logs, output } = await runCommand(CommsProvidersTest, [system.id])

    command.assertSucceeded()
    assert.include(rowOf(logs, system.id), { owner: 'system', type: 'twilio' })
    assert.include(rowOf(logs, system.id)!.detail, 'is active')
    assert.include(output, '1 configs ok')
    assert.lengthOf(
      logs.filter((line) => /^[0-9a-f-]{36}\|/.test(line)),
      1
    )
  })

  test('an unknown config or tenant exits 1', async ({ assert }) => {
    const unknownId = await runCommand(CommsProvidersTest, ['00000000-0000-4000-8000-000000000000'])
    assert.equal(unknownId.command.exitCode, 1)
    assert.include(unknownId.output, 'No provider config')

    const malformed = await runCommand(CommsProvidersTest, ['not-an-id'])
    assert.equal(malformed.command.exitCode, 1)

    const unknownTenant = await runCommand(CommsProvidersTest, ['--tenant=nobody'])
    assert.equal(unknownTenant.command.exitCode, 1)
    assert.include(unknownTenant.output, 'No tenant nobody')
  })
})
