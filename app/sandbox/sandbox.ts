import type { Logger } from '@adonisjs/core/logger'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import ProviderConfig from '#models/provider_config'
import type { ProviderAccounts } from '#messaging/accounts/provider_accounts'
import { maskSecret } from '#messaging/accounts/credentials_cipher'
import type { FakeProviderServer } from '#messaging/vendors/fakes/fake_provider_server'
import { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { SesFakeServer } from '#messaging/vendors/ses/fake'
import { TwilioFakeServer } from '#messaging/vendors/twilio/fake'
import { FcmFakeServer } from '#messaging/vendors/fcm/fake'
import { sandboxCredentials, type SandboxCredentials } from '#sandbox/sandbox_credentials'
import { vendorOf } from '#messaging/vendors/index'
import { statusCallbackUrl } from '#messaging/vendors/webhook_routes'

const FCM_PROJECT = 'switchboard-sandbox'
const SANDBOX_FROM = 'Switchboard Sandbox <sandbox@switchboard.test>'

interface SandboxAccount {
  type: GatewayType
  channel: Channel
  priority: number
  secret: string
  credentials: Record<string, unknown>
}

/**
 * The sandbox: every provider's fake server on fixed local ports, and system
 * default provider configs (no tenant) pointing at them, so a newcomer sees
 * the whole flow (send, provider, signed delivery callback) without any
 * provider account. Postal is the primary email gateway and SES its failover;
 * Postal and Twilio post signed delivery callbacks to our webhooks, and the
 * FCM fake plays the client app that reports a push delivered.
 *
 * Every key of these accounts comes from the install's own secret
 * (`secret`, SANDBOX_SECRET in .env; see sandbox_credentials.ts) or is made
 * at start (Postal's webhook key pair).
 *
 * The fakes are listed here, not in the vendor list: each is wired by hand
 * (its keys, where it posts callbacks, the account that points at it), which
 * differs too much per vendor for a registry field to say.
 */
export class Sandbox {
  #servers: FakeProviderServer[] = []
  #credentials: SandboxCredentials

  constructor(
    private accounts: ProviderAccounts,
    private logger: Logger,
    private options: { appUrl: string; portBase: number; secret: string | undefined }
  ) {
    this.#credentials = sandboxCredentials(options.secret)
  }

  async start() {
    const postalConfig = await this.#configFor(GatewayType.Postal, Channel.Email)
    const sesConfig = await this.#configFor(GatewayType.Ses, Channel.Email)
    const twilioConfig = await this.#configFor(GatewayType.Twilio, Channel.Sms)
    const fcmConfig = await this.#configFor(GatewayType.Fcm, Channel.Push)

    const keys = this.#credentials
    const postal = new PostalFakeServer({
      apiKey: keys.postalApiKey,
      callbacks: { url: this.#webhookUrl(postalConfig) },
    })
    const ses = new SesFakeServer({ accessKeyId: keys.sesAccessKeyId })
    const twilio = new TwilioFakeServer({
      accountSid: keys.twilioAccountSid,
      authToken: keys.twilioAuthToken,
      callbacks: true,
    })
    const fcm = new FcmFakeServer({
      projectId: FCM_PROJECT,
      clientReports: {
        url: this.#webhookUrl(fcmConfig),
        secret: keys.fcmReportSecret,
      },
    })
    // Fixed ports for a person to find; 0 (any free port) for tests
    const port = (offset: number) =>
      this.options.portBase === 0 ? 0 : this.options.portBase + offset
    await postal.start(port(1))
    await ses.start(port(2))
    await twilio.start(port(3))
    await fcm.start(port(4))
    this.#servers = [postal, ses, twilio, fcm]

    await this.#save(postalConfig, {
      type: GatewayType.Postal,
      channel: Channel.Email,
      priority: 0,
      secret: keys.postalApiKey,
      credentials: {
        baseUrl: postal.baseUrl,
        apiKey: keys.postalApiKey,
        from: SANDBOX_FROM,
        webhookPublicKey: postal.webhookPublicKey,
      },
    })
    await this.#save(sesConfig, {
      type: GatewayType.Ses,
      channel: Channel.Email,
      priority: 1,
      secret: keys.sesSecretAccessKey,
      credentials: {
        region: 'us-east-1',
        accessKeyId: keys.sesAccessKeyId,
        secretAccessKey: keys.sesSecretAccessKey,
        endpoint: ses.baseUrl,
        from: 'sandbox@switchboard.test',
      },
    })
    await this.#save(twilioConfig, {
      type: GatewayType.Twilio,
      channel: Channel.Sms,
      priority: 0,
      secret: keys.twilioAuthToken,
      credentials: {
        accountSid: keys.twilioAccountSid,
        authToken: keys.twilioAuthToken,
        from: '+15005550006',
        baseUrl: twilio.baseUrl,
      },
    })
    await this.#save(fcmConfig, {
      type: GatewayType.Fcm,
      channel: Channel.Push,
      priority: 0,
      secret: keys.fcmReportSecret,
      credentials: {
        projectId: FCM_PROJECT,
        serviceAccount: {
          client_email: 'sandbox@switchboard-sandbox.iam.test',
          private_key: 'sandbox',
        },
        baseUrl: fcm.baseUrl,
        reportSecret: keys.fcmReportSecret,
      },
    })

    for (const server of this.#servers) {
      this.logger.info(
        { provider: server.constructor.name, url: server.baseUrl },
        'sandbox provider listening'
      )
    }
    return this
  }

  /** Stop the fakes and disable their configs, so traffic falls back instead of failing. */
  get servers() {
    return this.#servers
  }

  async stop() {
    await ProviderConfig.query()
      .whereNull('tenant_id')
      .whereRaw(`metadata @> '{"sandbox": true}'`)
      .update({ enabled: false })
    await Promise.all(this.#servers.map((server) => server.stop()))
    this.#servers = []
  }

  /** True when providers other than the sandbox's own are configured. */
  static async hasRealProviders() {
    const row = await ProviderConfig.query()
      .whereRaw(`NOT (metadata @> '{"sandbox": true}')`)
      .count('* as total')
      .first()
    return Number(row?.$extras.total ?? 0) > 0
  }

  /** Where the vendor's fake posts a config's callbacks: its status webhook */
  #webhookUrl(config: ProviderConfig) {
    return statusCallbackUrl(this.options.appUrl, vendorOf(config.type), config.id)
  }

  /** The sandbox's own system-default config of a type, created on first start. */
  async #configFor(type: GatewayType, channel: Channel) {
    const existing = await ProviderConfig.query()
      .whereNull('tenant_id')
      .where('type', type)
      .whereRaw(`metadata @> '{"sandbox": true}'`)
      .first()
    if (existing) return existing
    return ProviderConfig.create({
      ...this.accounts.sealNew(null, {}),
      type,
      channel,
      name: `Sandbox ${type}`,
      priority: 0,
      enabled: false,
      mask: '…',
      metadata: { sandbox: true },
    })
  }

  async #save(config: ProviderConfig, account: SandboxAccount) {
    config.merge({
      channel: account.channel,
      priority: account.priority,
      enabled: true,
      encryptedConfig: this.accounts.seal(config, account.credentials),
      mask: maskSecret(account.secret),
    })
    await config.save()
  }
}
