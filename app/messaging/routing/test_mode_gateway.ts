import { randomUUID } from 'node:crypto'
import type { Logger } from '@adonisjs/core/logger'
import { CHANNELS } from '#enums/channel'
import { Gateway, type GatewayCheck, type GatewayResult } from '#messaging/channels/gateway'
import type { OutboundMessage } from '#messaging/channels/outbound'

/**
 * Stands in for the gateway the router chose for a test key's message: the
 * message was routed and rendered as a live one would be, and is accepted
 * here with a synthetic provider id instead of reaching the vendor.
 */
export class TestModeGateway extends Gateway {
  readonly type: string
  /** It stands in for any chosen gateway and calls no vendor: any channel's message will do */
  readonly channels = CHANNELS

  constructor(
    private chosen: Gateway,
    private logger: Logger
  ) {
    super()
    this.type = chosen.type
  }

  async send(message: OutboundMessage): Promise<GatewayResult> {
    const providerMessageId = `test-${randomUUID()}`
    this.logger.info(
      { messageId: message.messageId, gateway: this.chosen.type, providerMessageId, test: true },
      'test message: accepted without calling the vendor'
    )
    return { ok: true, providerMessageId }
  }

  async check(): Promise<GatewayCheck> {
    return this.chosen.check()
  }
}
