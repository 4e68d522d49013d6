import type { Logger } from '@adonisjs/core/logger'
import type { GatewayType } from '#enums/gateway_type'
import { EgressPolicy } from '#messaging/egress/egress_policy'
import type { Gateway } from '#messaging/channels/gateway'
import type { ProviderAccount } from '#messaging/accounts/provider_accounts'
import type { GatewayBuilder } from '#messaging/vendors/contract/vendor'
import { VENDORS, vendorOf } from '#messaging/vendors/index'
import { statusCallbackUrl } from '#messaging/vendors/webhook_routes'

/** Sends still in flight on a replaced gateway get this long before it is closed */
const RETIRE_AFTER_MS = 60_000

interface GatewayFactoryOptions {
  /** The public base URL vendors post status callbacks to */
  appUrl: string
  logGatewayLatencyMs: number
}

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

  /**
   * A factory with every vendor's gateway module imported, so that
   * forAccount(), on the send path, builds without waiting. tenantPolicy: the
   * egress policy of every address a tenant can steer.
   */
  static async load(logger: Logger, options: GatewayFactoryOptions, tenantPolicy: EgressPolicy) {
    const builders = await Promise.all(
      VENDORS.map(async (vendor) => [vendor.type, await vendor.loadGateway()] as const)
    )
    return new GatewayFactory(new Map(builders), logger, options, tenantPolicy)
  }

  /** Made by load(), which imports the builders */
  constructor(
    private builders: ReadonlyMap<GatewayType, GatewayBuilder>,
    private logger: Logger,
    private options: GatewayFactoryOptions,
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
    const build = this.builders.get(config.type)!
    return build(credentials, {
      // A system provider's address was set by the operator; a tenant's own config is the tenant's say
      policy: config.tenantId === null ? this.#unrestricted : this.tenantPolicy,
      tenantPolicy: this.tenantPolicy,
      logger: this.logger,
      statusCallbackUrl: statusCallbackUrl(this.options.appUrl, vendorOf(config.type), config.id),
      logGatewayLatencyMs: this.options.logGatewayLatencyMs,
    })
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
