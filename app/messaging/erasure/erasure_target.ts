import { Channel } from '#enums/channel'
import { checkRecipient } from '#messaging/recipients/recipient_rules'
import { suppressionHash } from '#messaging/suppression/suppression_hash'

/** The channels a person is reached on; a webhook URL is a system, not a person */
const PERSONAL_CHANNELS = [Channel.Email, Channel.Sms, Channel.Push] as const

/** A message row (or an archived one) as far as telling whose it is goes */
export interface MessageOwner {
  tenant_id: string
  channel: string
  direction: string
  recipient: string
  metadata: Record<string, unknown> | null
}

/**
 * Whom an erasure is about: one address of one tenant, in the normal form
 * accept stores (recipient_rules.ts), on the one channel it belongs to (an
 * email address, an E.164 number and a push token never look alike). The
 * hash is the address's suppression hash for the tenant (kept in the
 * database only, to find the person's suppression). The tombstone that
 * replaces the address everywhere comes from the erasure's random id, never
 * from the address: a phone number's hash would be reversed by trying them
 * all.
 */
export class ErasureTarget {
  readonly hash: string
  readonly tombstone: string

  private constructor(
    readonly tenantId: string,
    readonly channel: Channel,
    readonly address: string,
    erasureId: string
  ) {
    this.hash = suppressionHash(tenantId, channel, address)
    this.tombstone = `erased:${erasureId.replaceAll('-', '').slice(0, 12)}`
  }

  /**
   * Null when the text is no recipient on any channel a person is reached
   * on. `erasureId` is the erasure's (random, v4) id.
   */
  static of(tenantId: string, raw: string, erasureId: string): ErasureTarget | null {
    for (const channel of PERSONAL_CHANNELS) {
      const check = checkRecipient(channel, raw)
      if (check.valid) return new ErasureTarget(tenantId, channel, check.address, erasureId)
    }
    return null
  }

  /**
   * The tenant's messages to the address and inbound ones from it (an
   * inbound message keeps its sender in metadata.from), as SQL on `alias`.
   */
  messagesCondition(alias: string) {
    return {
      sql: `${alias}.tenant_id = ? AND ${alias}.channel = ?
            AND ((${alias}.direction = 'outbound' AND ${alias}.recipient = ?)
              OR (${alias}.direction = 'inbound' AND ${alias}.metadata ->> 'from' = ?))`,
      bindings: [this.tenantId, this.channel, this.address, this.address],
    }
  }

  /** The same rule as messagesCondition, for a row read back from an archive file. */
  owns(message: MessageOwner) {
    if (message.tenant_id !== this.tenantId || message.channel !== this.channel) return false
    return message.direction === 'inbound'
      ? message.metadata?.from === this.address
      : message.recipient === this.address
  }

  /** Whether a fallback step (or anything else naming a channel and a recipient) is the address. */
  isAddressOn(channel: unknown, recipient: unknown) {
    return (
      channel === this.channel &&
      typeof recipient === 'string' &&
      recipient.toLowerCase() === this.address.toLowerCase()
    )
  }

  /**
   * The address as a case-insensitive pattern, the same in JavaScript and
   * PostgreSQL: `whole` matches it only as a whole token, not inside a
   * longer address (`ann@x.co` in `joann@x.com`, `+1415555010` in
   * `+14155550100`), and lets a sentence's final dot follow it.
   */
  pattern(whole: boolean) {
    const escaped = this.address.replace(/[^A-Za-z0-9]/g, '\\$&')
    return whole ? `(?<![A-Za-z0-9._%+-])${escaped}(?![A-Za-z0-9_%+@-]|\\.[A-Za-z0-9])` : escaped
  }
}
