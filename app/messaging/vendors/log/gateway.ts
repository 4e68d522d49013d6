import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '@adonisjs/core/logger'
import { CHANNELS } from '#enums/channel'
import { Gateway, type GatewayCheck, type GatewayResult } from '#messaging/channels/gateway'
import type { OutboundMessage } from '#messaging/channels/outbound'
import { carriesConsoleSecret } from '#messaging/console_secret'

/**
 * The development gateway: records the outbound message in the log and
 * answers like a provider that accepted it, whatever its channel. An
 * optional latency imitates a slow provider.
 */
export class LogGateway extends Gateway {
  readonly type = 'log'
  readonly channels = CHANNELS

  constructor(
    private logger: Logger,
    private latencyMs: number
  ) {
    super()
  }

  async send(message: OutboundMessage): Promise<GatewayResult> {
    if (this.latencyMs > 0) {
      await sleep(this.latencyMs)
    }
    const providerMessageId = `log-${randomUUID()}`
    this.logger.info(
      { ...loggedPart(message), providerMessageId },
      'log gateway: message delivered to the log'
    )
    return { ok: true, providerMessageId }
  }

  async check(): Promise<GatewayCheck> {
    return { ok: true, detail: 'the log gateway writes messages to the worker log' }
  }
}

/** The whole message, except the console's own mail: its body holds a live sign-in link */
function loggedPart(message: OutboundMessage) {
  if (!carriesConsoleSecret(message.messageType)) return message
  const { messageId, tenantId, messageType, channel } = message
  return { messageId, tenantId, messageType, channel, contentHidden: true }
}
