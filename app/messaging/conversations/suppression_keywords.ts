import { Channel } from '#enums/channel'
import type { InboundMessage } from '#messaging/conversations/inbound_message'

export type KeywordAction = 'unsubscribe' | 'resubscribe'

/** The carrier keywords Twilio honours for SMS opt-out and opt-in */
const SMS_KEYWORDS: Record<string, KeywordAction> = {
  stop: 'unsubscribe',
  stopall: 'unsubscribe',
  unsubscribe: 'unsubscribe',
  cancel: 'unsubscribe',
  end: 'unsubscribe',
  quit: 'unsubscribe',
  start: 'resubscribe',
  yes: 'resubscribe',
  unstop: 'resubscribe',
}

/**
 * What an inbound message asks of the suppression list, if anything: an SMS
 * that is exactly a keyword, or an email whose subject or first line says
 * "unsubscribe".
 */
export function keywordActionOf(message: InboundMessage): KeywordAction | null {
  const text = message.content.text ?? ''
  if (message.channel === Channel.Sms) {
    const keyword = text.trim().toLowerCase()
    return Object.hasOwn(SMS_KEYWORDS, keyword) ? SMS_KEYWORDS[keyword] : null
  }
  const firstLine = text.trimStart().split(/\r?\n/, 1)[0]
  const asksToLeave = [message.subject ?? '', firstLine].some(
    (line) => line.trim().toLowerCase() === 'unsubscribe'
  )
  return asksToLeave ? 'unsubscribe' : null
}
