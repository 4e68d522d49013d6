import vine from '@vinejs/vine'
import type { Infer } from '@vinejs/vine/types'
import { CHANNELS, type Channel } from '#enums/channel'
import { GATEWAY_TYPES, GatewayType } from '#enums/gateway_type'
import { PROVIDER_TYPES } from '#messaging/accounts/provider_types'

const text = () => vine.string().trim().minLength(1).maxLength(255)
/** Lower is tried first */
const priority = () => vine.number().withoutDecimals().min(0).max(1000)
const secret = () => vine.string().trim().minLength(1).maxLength(8192)
/** Fake servers and self-hosted Postal live on plain http and bare hosts too */
const httpUrl = () =>
  vine
    .string()
    .trim()
    .maxLength(2048)
    .url({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })

/** Each type's `config`, the fields its gateway is built from (see the gateway classes). */
const CONFIG_BY_TYPE = {
  [GatewayType.Postal]: vine.object({
    baseUrl: httpUrl(),
    apiKey: secret(),
    from: text(),
    /** Base64 SPKI DER: public, the `p=` of postal._domainkey */
    webhookPublicKey: vine
      .string()
      .trim()
      .regex(/^[A-Za-z0-9+/]+={0,2}$/)
      .optional(),
  }),
  [GatewayType.Ses]: vine.object({
    region: vine
      .string()
      .trim()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/),
    accessKeyId: text(),
    secretAccessKey: secret(),
    endpoint: httpUrl().optional(),
    from: text(),
    configurationSet: text().optional(),
    snsTopicArn: vine
      .string()
      .trim()
      .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/)
      .optional(),
  }),
  [GatewayType.Twilio]: vine.object({
    accountSid: vine
      .string()
      .trim()
      .regex(/^AC[0-9a-fA-F]{32}$/),
    authToken: secret(),
    from: text().optional().requiredIfMissing('messagingServiceSid'),
    messagingServiceSid: vine
      .string()
      .trim()
      .regex(/^MG[0-9a-fA-F]{32}$/)
      .optional(),
    baseUrl: httpUrl().optional(),
  }),
  [GatewayType.Fcm]: vine.object({
    projectId: text(),
    /** The service account key file's JSON; its other fields are kept as they are */
    serviceAccount: vine
      .object({
        project_id: text(),
        client_email: vine.string().trim().email(),
        private_key: secret(),
      })
      .allowUnknownProperties(),
    baseUrl: httpUrl().optional(),
    /** Signs the push client app's delivery/open reports (FCM itself reports nothing) */
    reportSecret: secret().minLength(16).optional(),
  }),
  [GatewayType.Webhook]: vine.object({
    /** Signs every delivery: long enough that it cannot be guessed */
    secret: vine.string().minLength(16).maxLength(1024),
    url: httpUrl().optional(),
  }),
  [GatewayType.Log]: vine.object({}),
}

const configForType = vine
  .group(
    GATEWAY_TYPES.map((type) =>
      vine.group.if((data) => data.type === type, { config: CONFIG_BY_TYPE[type] })
    )
  )
  // An unknown type is already reported on the `type` field
  .otherwise(() => {})

/** A provider type only carries some channels (postal and ses: email, twilio: sms, ...). */
const channelOfType = vine.createRule((value, _options, field) => {
  const type = field.parent.type as GatewayType
  // Own keys only: a `type` of "__proto__" or "constructor" names no provider type
  const rules = Object.hasOwn(PROVIDER_TYPES, type) ? PROVIDER_TYPES[type] : null
  if (rules && !rules.channels.includes(value as Channel)) {
    field.report(
      `The ${type} provider type carries ${rules.channels.join(', ')}, not ${value}`,
      'channelOfType',
      field
    )
  }
})

/** `tps` caps the provider's sends per second; other keys are free-form. */
const metadata = () =>
  vine.object({ tps: vine.number().positive().optional() }).allowUnknownProperties()

export const createProviderValidator = vine.compile(
  vine
    .object({
      type: vine.enum(GATEWAY_TYPES),
      channel: vine.enum(CHANNELS).use(channelOfType()),
      name: text(),
      priority: priority().optional(),
      enabled: vine.boolean().optional(),
      metadata: metadata().optional(),
    })
    .merge(configForType)
)

/** Fields to merge over stored ones; null removes one. */
const changedFields = () => vine.record(vine.any().nullable())

/**
 * PATCH: every field optional. `config` and `metadata` are merged over the
 * stored ones (null removes a key), and the result is validated again as a
 * whole with createProviderValidator.
 */
export const updateProviderValidator = vine.compile(
  vine.object({
    type: vine.enum(GATEWAY_TYPES).optional(),
    channel: vine.enum(CHANNELS).optional(),
    name: text().optional(),
    priority: priority().optional(),
    enabled: vine.boolean().optional(),
    config: changedFields().optional(),
    metadata: changedFields().optional(),
  })
)

export type CreateProviderRequest = Infer<typeof createProviderValidator>
export type UpdateProviderRequest = Infer<typeof updateProviderValidator>
