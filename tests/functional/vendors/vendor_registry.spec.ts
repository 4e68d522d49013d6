import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import router from '@adonisjs/core/services/router'
import db from '@adonisjs/lucid/services/db'
import { errors } from '@vinejs/vine'
import { Channel } from '#enums/channel'
import { GATEWAY_TYPES } from '#enums/gateway_type'
import { providerConfigValidator } from '#messaging/accounts/provider_config_schema'
import { PROVIDER_SECRET_FIELDS, visibleConfig } from '#messaging/accounts/provider_types'
import { MessageDispatcher } from '#messaging/delivery/message_dispatcher'
import { VENDORS } from '#messaging/vendors/index'
import { RAW_BODY_WEBHOOK_ROUTES, WEBHOOK_ROUTES } from '#messaging/vendors/webhook_routes'
import { createProvider } from '#tests/helpers/providers'
import { createTenant } from '#tests/helpers/tenants'

const SECRET = 'registry-secret-never-shown-0000'

test.group('The vendor list drives every per-vendor part', () => {
  test('every provider type is one registered vendor', ({ assert }) => {
    assert.sameMembers(
      VENDORS.map((vendor) => vendor.type),
      GATEWAY_TYPES
    )
    assert.lengthOf(VENDORS, GATEWAY_TYPES.length)
  })

  test('each declared webhook is a named route, raw-bodied unless it asks for parsing', ({
    assert,
  }) => {
    for (const route of WEBHOOK_ROUTES) {
      const url = `/api/webhooks/communication${route.pattern.replace(':providerId', randomUUID())}`
      const matched = router.match(url, 'POST')
      assert.equal(matched?.route.name, `webhooks.${route.name}`, url)
      assert.equal(
        RAW_BODY_WEBHOOK_ROUTES.has(`webhooks.${route.name}`),
        !route.endpoint.parsedBody,
        route.name
      )
    }
    assert.sameMembers(
      WEBHOOK_ROUTES.map((route) => route.name),
      ['postal', 'postal.inbound', 'ses', 'twilio', 'twilio.inbound', 'firebase.signed']
    )
  })

  test('each vendor has its branch of the provider validator', async ({ assert }) => {
    for (const vendor of VENDORS) {
      const error = await providerConfigValidator
        .validate({ type: vendor.type, channel: vendor.channels[0], name: 'x', config: 'none' })
        .catch((caught: unknown) => caught)
      assert.instanceOf(error, errors.E_VALIDATION_ERROR, vendor.type)
      const fields = (error as InstanceType<typeof errors.E_VALIDATION_ERROR>).messages.map(
        (message: { field: string }) => message.field
      )
      assert.include(fields, 'config', vendor.type)
    }
  })

  test('each vendor’s console form asks for every field of its config, once', ({ assert }) => {
    for (const vendor of VENDORS) {
      assert.deepEqual(
        vendor.configFields.map((field) => field.name).sort(),
        Object.keys(vendor.configSchema.getProperties()).sort(),
        vendor.type
      )
    }
  })

  test('each vendor’s secret fields are masked', ({ assert }) => {
    for (const vendor of VENDORS) {
      const fields = [vendor.secret?.field, ...(vendor.otherSecrets ?? [])].filter(
        (field): field is string => field !== undefined
      )
      const config = Object.fromEntries(fields.map((field) => [field, SECRET]))
      if (vendor.secret?.value) config[vendor.secret.field] = { private_key: SECRET } as never
      assert.notInclude(JSON.stringify(visibleConfig(vendor.type, config)), SECRET, vendor.type)
      for (const field of fields) assert.include(PROVIDER_SECRET_FIELDS, field)
    }
  })

  test('the log vendor is added through the API and sends', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const providerId = await createProvider(client, headers, {
      type: 'log',
      channel: Channel.Sms,
      name: 'Log SMS',
      priority: 0,
      config: {},
    })
    const created = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({ channel: 'sms', recipient: '+14155550100', content: { text: 'hi' } })
    created.assertStatus(201)

    const dispatcher = await app.container.make(MessageDispatcher)
    const outcome = await dispatcher.dispatch(created.body().id)

    assert.equal(outcome.kind, 'sent')
    const message = await db
      .from('messages')
      .select('gateway', 'provider_config_id')
      .where('id', created.body().id)
      .first()
    assert.deepEqual(message, { gateway: `log:${providerId}`, provider_config_id: providerId })
  })
})
