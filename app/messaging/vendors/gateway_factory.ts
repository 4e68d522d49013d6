import type { Logger } from '@adonisjs/core/logger'
import { EgressPolicy } from '#messaging/egress/egress_policy'
import { GatewayType } from '#enums/gateway_type'
import type { Gateway } from '#messaging/channels/gateway'
import { FcmGateway, type FcmGatewayConfig } from '#messaging/vendors/fcm/gateway'
import { LogGateway } from '#messaging/vendors/log/gateway'
import { PostalGateway, type PostalGatewayConfig } from '#messaging/vendors/postal/gateway'
import { SesGateway, type SesGatewayConfig } from '#messaging/vendors/ses/gateway'
import { TwilioGateway, type TwilioGatewayConfig } from '#messaging/vendors/twilio/gateway'
import { WebhookGateway, type WebhookGatewayConfig } from '#messaging/vendors/webhook/gateway'
import type { ProviderAccount } from '#messaging/accounts/provider_accounts'

/** Sends still in flight on a replaced gateway get this long before it is closed */
const RETIRE_AFTER_MS = 60_000

interface BuiltGateway {
  /** The config's updatedAt when the gateway was built */
  version: number
  gateway: Gateway
}

/**
 * Builds the Gateway of a provider account. A gateway holds SDK clients (an
 * HTTP agent, a Firebase app), so it is built once per config and rebuilt
 * only when the config changes (its updatedAt moves).
 */
export class GatewayFactory {
  #built = new Map<string, BuiltGateway>()
  #unrestricted = EgressPolicy.unrestricted()

  /** tenantPolicy: the egress policy of every address a tenant can steer */
  constructor(
    private logger: Logger,
    private options: { appUrl: string; logGatewayLatencyMs: number },
    private tenantPolicy: EgressPolicy
  ) {}

  /** Throws when the stored config cannot make a gateway (e.g. an unreadable private key). */
  forAccount(account: ProviderAccount): Gateway {
    const { id, updatedAt } = account.config
    const version = updatedAt.toMillis()
    const cached = this.#built.get(id)
    if (cached?.version === version) return cached.gateway

    const gateway = this.#build(account)
    this.#built.set(id, { version, gateway })
    if (cached) this.#retire(cached.gateway)
    return gateway
  }

  /** Closes every gateway built so far: at shutdown. */
  async close() {
    const gateways = [...this.#built.values()].map((built) => built.gateway)
    this.#built.clear()
    await Promise.all(gateways.map((gateway) => gateway.close()))
  }

  #build({ config, credentials }: ProviderAccount): Gateway {
    // A system provider's address was set by the operator; a tenant's own config is the tenant's say
    const policy = config.tenantId === null ? this.#unrestricted : this.tenantPolicy
    switch (config.type) {
      case GatewayType.Postal:
        return new PostalGateway({ ...(credentials as unknown as PostalGatewayConfig), policy })
      case GatewayType.Ses:
        return new SesGateway({ ...(credentials as unknown as SesGatewayConfig), policy })
      case GatewayType.Twilio:
        return new TwilioGateway({
          ...(credentials as unknown as TwilioGatewayConfig),
          statusCallbackUrl: this.#callbackUrl(config.type, config.id),
          policy,
        })
      case GatewayType.Fcm:
        return new FcmGateway({ ...(credentials as unknown as FcmGatewayConfig), policy })
      case GatewayType.Webhook:
        // Every message names its own receiver, so whoever owns the account, the tenant steers it
        return new WebhookGateway({
          ...(credentials as unknown as WebhookGatewayConfig),
          policy: this.tenantPolicy,
        })
      case GatewayType.Log:
        return new LogGateway(this.logger, this.options.logGatewayLatencyMs)
    }
  }

  /** Where a provider posts its callbacks for a config: the webhook endpoints' path shape. */
  #callbackUrl(type: GatewayType, providerConfigId: string) {
    return `${this.options.appUrl}/api/webhooks/communication/${type}/${providerConfigId}`
  }

  #retire(gateway: Gateway) {
    setTimeout(() => {
      gateway
        .close()
        .catch((error: unknown) =>
          this.logger.warn({ err: error }, 'could not close a replaced gateway')
        )
    }, RETIRE_AFTER_MS).unref()
  }
}
