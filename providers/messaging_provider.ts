import { resolve } from 'node:path'
import type { ApplicationService } from '@adonisjs/core/types'
import { BaseModel, CamelCaseNamingStrategy } from '@adonisjs/lucid/orm'
import type { MessagingConfig } from '#config/messaging'
import { Gateway } from '#messaging/channels/gateway'
import { LogGateway } from '#messaging/vendors/log/gateway'
import { ChannelRouter } from '#messaging/routing/channel_router'
import { GatewayHealth } from '#messaging/routing/gateway_health'
import { RateLimiter } from '#messaging/routing/rate_limiter'
import { TenantSettingsCache } from '#messaging/tenants/tenant_settings_cache'
import { ChannelFallback } from '#messaging/delivery/channel_fallback'
import { AcceptedMessagesQueuer } from '#messaging/actions/accepted_messages_queuer'
import { SendBulk } from '#messaging/actions/send_bulk'
import { SendFallback } from '#messaging/actions/send_fallback'
import { ResendFailed } from '#messaging/actions/resend_failed'
import { RetryFailedMessages } from '#messaging/actions/retry_failed_messages'
import { MessageQueues } from '#messaging/queueing/message_queues'
import { MessageComposer } from '#messaging/templates/message_composer'
import { TenantUsage } from '#messaging/quotas/tenant_usage'
import { MetricsRecorder } from '#messaging/metrics/metrics_recorder'
import MetricsListener from '#messaging/metrics/metrics_listener'
import { RetryPolicy } from '#messaging/delivery/retry_policy'
import { MessageStore } from '#messaging/outbox/message_store'
import { SuppressionList } from '#messaging/suppression/suppression_list'
import { MessageDispatcher } from '#messaging/delivery/message_dispatcher'
import { CredentialsCipher } from '#messaging/accounts/credentials_cipher'
import { ProviderAccounts } from '#messaging/accounts/provider_accounts'
import { DeliveryTracker } from '#messaging/tracking/delivery_tracker'
import { SuppressionFeed } from '#messaging/tracking/suppression_feed'
import { WebhookAccounts } from '#messaging/accounts/webhook_accounts'
import { HttpsSnsFetcher, SnsFetcher } from '#messaging/vendors/ses/sns_fetcher'
import { GatewayFactory } from '#messaging/vendors/gateway_factory'
import { EgressPolicy } from '#messaging/egress/egress_policy'
import { TenantWebhookHttp } from '#messaging/tenant_webhooks/delivery/tenant_webhook_http'
import { TenantWebhookDeliverer } from '#messaging/tenant_webhooks/delivery/tenant_webhook_deliverer'
import { WebhookSecrets } from '#messaging/tenant_webhooks/delivery/webhook_secrets'
import { TenantWebhookQueue } from '#messaging/tenant_webhooks/tenant_webhook_queue'
import { ArchiveDirectory } from '#messaging/archive/archive_directory'
import { ArchiveRedactor } from '#messaging/erasure/archive_redactor'
import { EraseRecipient } from '#messaging/erasure/erase_recipient'
import { assertCredentialsKeyOpensStoredConfigs } from '#messaging/accounts/credentials_key_check'
import { OverviewSnapshots } from '#messaging/stats/overview_snapshot'
import { OperationsStats } from '#messaging/stats/operations_stats'
import { TenantQueueStats } from '#messaging/stats/tenant_queue_stats'
import { MessageActivity } from '#messaging/stats/message_activity'
import { GatewayHealthBoard } from '#messaging/stats/gateway_health_board'
import { DeferredWork } from '#people/deferred_work'

/**
 * Commands that manage the schema or write code, and the credentials commands
 * (they check every value themselves and say what to do): they must run
 * whatever CREDENTIALS_KEY is
 */
const COMMANDS_WITHOUT_CREDENTIALS = /^(migration|db|make|credentials):/

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
      () => new CredentialsCipher(config().credentialsKey, config().credentialsPreviousKeys)
    )

    // One per process, so the increments of a turn of the event loop add up before they are written;
    // its listener too, so a bulk send's 10,000 events do not build 10,000 listeners
    this.app.container.singleton(MetricsRecorder, () => new MetricsRecorder())
    this.app.container.singleton(MetricsListener, async (resolver) => {
      return new MetricsListener(await resolver.make(MetricsRecorder))
    })

    // One per process, so shutdown can wait for the work requests started and did not wait for
    this.app.container.singleton(DeferredWork, async (resolver) => {
      const work = new DeferredWork(await resolver.make('logger'))
      this.app.terminating(() => work.drained())
      return work
    })

    // One per process: the provider callbacks that arrive together share a transaction
    this.app.container.singleton(DeliveryTracker, async (resolver) => {
      return new DeliveryTracker(
        await resolver.make(SuppressionFeed),
        await resolver.make(MetricsRecorder)
      )
    })

    this.app.container.bind(SuppressionFeed, async (resolver) => {
      return new SuppressionFeed(await resolver.make(SuppressionList), config().softBounces)
    })

    // Stateless: one instance each, so a storm of callbacks does not build one per request or event
    this.app.container.singleton(WebhookAccounts, async (resolver) => {
      return new WebhookAccounts(await resolver.make(ProviderAccounts))
    })

    this.app.container.singleton(ProviderAccounts, async (resolver) => {
      return new ProviderAccounts(await resolver.make(CredentialsCipher))
    })

    // One per process: every tenant-steered call goes through it. Tests swap in one with their own resolver.
    this.app.container.singleton(EgressPolicy, () => new EgressPolicy(config().egress.allow))

    // One keep-alive pool per process for tenant webhook POSTs, closed at shutdown
    this.app.container.singleton(TenantWebhookHttp, async (resolver) => {
      const http = new TenantWebhookHttp(await resolver.make(EgressPolicy))
      this.app.terminating(() => http.close())
      return http
    })

    this.app.container.bind(
      TenantWebhookQueue,
      () => new TenantWebhookQueue(config().tenantWebhooks)
    )
    this.app.container.bind(TenantWebhookDeliverer, async (resolver) => {
      return new TenantWebhookDeliverer(
        await resolver.make(WebhookSecrets),
        await resolver.make(TenantWebhookHttp),
        config().tenantWebhooks
      )
    })

    // Built per erasure over the archive ARCHIVE_DIR names then (relative to the app root)
    this.app.container.bind(EraseRecipient, () => {
      const root = resolve(this.app.makePath(), config().archive.dir)
      return new EraseRecipient(new ArchiveRedactor(new ArchiveDirectory(root)))
    })

    // One instance: it caches SNS signing certificates. Tests swap in a fake SNS.
    this.app.container.singleton(SnsFetcher, () => new HttpsSnsFetcher())

    this.app.container.singleton(Gateway, async (resolver) => {
      const logger = await resolver.make('logger')
      return new LogGateway(logger, config().logGatewayLatencyMs)
    })

    this.app.container.singleton(GatewayFactory, async (resolver) => {
      const factory = await GatewayFactory.load(
        await resolver.make('logger'),
        {
          appUrl: this.app.config.get<string>('app.appUrl'),
          logGatewayLatencyMs: config().logGatewayLatencyMs,
        },
        await resolver.make(EgressPolicy)
      )
      this.app.terminating(() => factory.close())
      return factory
    })

    // Health windows, circuits and rate-limit budgets live in Redis: every worker sees the same
    this.app.container.singleton(GatewayHealth, async (resolver) => {
      const redis = await resolver.make('redis')
      return new GatewayHealth(redis.connection(), config().health)
    })

    // One per process: its short-lived snapshots are what keep many open consoles cheap
    this.app.container.singleton(OverviewSnapshots, async (resolver) => {
      return new OverviewSnapshots(
        await resolver.make(OperationsStats),
        new TenantQueueStats(),
        new MessageActivity(),
        await resolver.make(GatewayHealthBoard)
      )
    })

    // Loaded once and kept up to date by a poll: a send costs no query for its tenant's settings
    this.app.container.singleton(TenantSettingsCache, async (resolver) => {
      const cache = new TenantSettingsCache(
        await resolver.make('lucid.db'),
        config().tenantDefaults,
        await resolver.make('logger')
      )
      await cache.start()
      this.app.terminating(() => cache.stop())
      return cache
    })

    this.app.container.singleton(RateLimiter, async (resolver) => {
      const redis = await resolver.make('redis')
      const tenants = await resolver.make(TenantSettingsCache)
      return new RateLimiter(redis.connection(), {
        ...config().rateLimits,
        tenant: (tenantId) => tenants.of(tenantId).settings.sendRateLimit,
      })
    })

    this.app.container.singleton(ChannelRouter, async (resolver) => {
      return new ChannelRouter(
        await resolver.make(ProviderAccounts),
        await resolver.make(GatewayFactory),
        await resolver.make(Gateway),
        await resolver.make(GatewayHealth),
        await resolver.make('logger')
      )
    })

    // The actions that take bulk settings; the others are built by @inject()
    this.app.container.bind(AcceptedMessagesQueuer, async (resolver) => {
      return new AcceptedMessagesQueuer(await resolver.make(MessageQueues), config().bulk.chunkSize)
    })
    this.app.container.bind(SendBulk, async (resolver) => {
      return new SendBulk(
        await resolver.make(MessageStore),
        await resolver.make(SuppressionList),
        await resolver.make(MessageComposer),
        await resolver.make(TenantUsage),
        await resolver.make(AcceptedMessagesQueuer),
        config().bulk.chunkSize
      )
    })
    this.app.container.bind(ResendFailed, async (resolver) => {
      return new ResendFailed(
        await resolver.make(MessageStore),
        await resolver.make(SuppressionList),
        await resolver.make(AcceptedMessagesQueuer),
        config().bulk.chunkSize
      )
    })
    this.app.container.bind(RetryFailedMessages, async (resolver) => {
      return new RetryFailedMessages(await resolver.make(ResendFailed), config().bulk.chunkSize)
    })

    this.app.container.singleton(ChannelFallback, async (resolver) => {
      return new ChannelFallback(
        await resolver.make(SendFallback),
        await resolver.make(MessageStore),
        await resolver.make('logger')
      )
    })

    this.app.container.singleton(RetryPolicy, () => new RetryPolicy(config().retryBaseDelayMs))

    this.app.container.singleton(MessageDispatcher, async (resolver) => {
      const { leaseSeconds, maxAttempts } = config()
      return new MessageDispatcher(
        await resolver.make(MessageStore),
        await resolver.make(ChannelRouter),
        await resolver.make(RateLimiter),
        await resolver.make(TenantSettingsCache),
        await resolver.make(RetryPolicy),
        await resolver.make(SuppressionList),
        await resolver.make(ChannelFallback),
        await resolver.make('logger'),
        { leaseSeconds, maxAttempts }
      )
    })
  }

  boot() {
    // The API speaks camelCase JSON; columns stay snake_case.
    BaseModel.namingStrategy = new CamelCaseNamingStrategy()
  }

  /**
   * A wrong CREDENTIALS_KEY stops the process at boot, before the server
   * listens or a worker takes a job. Under ace, the check waits until the
   * command is known, so migrations still run with any key.
   */
  async start() {
    if (this.app.getEnvironment() !== 'console') {
      return this.#assertCredentialsKey()
    }
    const ace = await this.app.container.make('ace')
    ace.loaded(async (command) => {
      if (!COMMANDS_WITHOUT_CREDENTIALS.test(command.commandName)) {
        await this.#assertCredentialsKey()
      }
    })
  }

  #credentialsKeyChecked?: Promise<void>

  /**
   * Once per process (ace fires `loaded` for every command it loads). On
   * failure the app is terminated here: nothing else closes its database
   * connections on this path, and they would keep the process alive.
   */
  #assertCredentialsKey() {
    this.#credentialsKeyChecked ??= (async () => {
      const logger = await this.app.container.make('logger')
      try {
        await assertCredentialsKeyOpensStoredConfigs(
          await this.app.container.make(CredentialsCipher),
          logger
        )
      } catch (error) {
        logger.fatal({ err: error }, 'provider credentials cannot be decrypted: not starting')
        await this.app.terminate()
        throw error
      }
    })()
    return this.#credentialsKeyChecked
  }
}
