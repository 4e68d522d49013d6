import type { ApplicationService } from '@adonisjs/core/types'
import { BaseModel, CamelCaseNamingStrategy } from '@adonisjs/lucid/orm'
import type { MessagingConfig } from '#config/messaging'
import { Gateway } from '#messaging/gateways/gateway'
import { LogGateway } from '#messaging/gateways/log_gateway'
import { ChannelRouter } from '#messaging/routing/channel_router'
import { RetryPolicy } from '#messaging/delivery/retry_policy'
import { MessageStore } from '#messaging/outbox/message_store'
import { SuppressionList } from '#messaging/suppression/suppression_list'
import { MessageDispatcher } from '#messaging/delivery/message_dispatcher'
import { CredentialsCipher } from '#messaging/providers/credentials_cipher'
import { ProviderAccounts } from '#messaging/providers/provider_accounts'

/**
 * Wires the delivery pipeline into the container. The default gateway is
 * bound to the Gateway token so tests and later configuration can swap it.
 */
export default class MessagingProvider {
  constructor(protected app: ApplicationService) {}

  register() {
    const config = () => this.app.config.get<MessagingConfig>('messaging')

    this.app.container.singleton(
      CredentialsCipher,
      () => new CredentialsCipher(this.app.config.get<string>('messaging.credentialsKey'))
    )

    this.app.container.singleton(ProviderAccounts, async (resolver) => {
      return new ProviderAccounts(await resolver.make(CredentialsCipher))
    })

    this.app.container.singleton(Gateway, async (resolver) => {
      const logger = await resolver.make('logger')
      return new LogGateway(logger, config().logGatewayLatencyMs)
    })

    this.app.container.singleton(ChannelRouter, async (resolver) => {
      return new ChannelRouter(await resolver.make(Gateway))
    })

    this.app.container.singleton(RetryPolicy, () => new RetryPolicy(config().retryBaseDelayMs))

    this.app.container.singleton(MessageDispatcher, async (resolver) => {
      const { leaseSeconds, maxAttempts } = config()
      return new MessageDispatcher(
        await resolver.make(MessageStore),
        await resolver.make(ChannelRouter),
        await resolver.make(RetryPolicy),
        await resolver.make(SuppressionList),
        await resolver.make('logger'),
        { leaseSeconds, maxAttempts }
      )
    })
  }

  boot() {
    // The API speaks camelCase JSON; columns stay snake_case.
    BaseModel.namingStrategy = new CamelCaseNamingStrategy()
  }
}
