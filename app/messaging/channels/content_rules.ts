import { Channel } from '#enums/channel'
import type { MessageContent } from '#models/message'

export interface ContentProblem {
  field: string
  message: string
}

/** The most characters an SMS body may have (10 concatenated segments). */
export const SMS_MAX_LENGTH = 1600

/**
 * What each channel needs to have something to deliver.
 */
export function checkContent(
  channel: Channel,
  subject: string | null | undefined,
  content: MessageContent
): ContentProblem | null {
  const hasText = !!content.text
  const hasData = !!content.data && Object.keys(content.data).length > 0
  switch (channel) {
    case Channel.Email:
      if (!subject) {
        return { field: 'subject', message: 'An email needs a subject' }
      }
      return hasText || content.html
        ? null
        : { field: 'content', message: 'An email needs content.text or content.html' }
    case Channel.Sms:
      if (!hasText) {
        return { field: 'content.text', message: 'An SMS needs content.text' }
      }
      return content.text!.length > SMS_MAX_LENGTH
        ? { field: 'content.text', message: `An SMS may have at most ${SMS_MAX_LENGTH} characters` }
        : null
    case Channel.Push:
    case Channel.Webhook:
      return hasText || hasData
        ? null
        : { field: 'content', message: `A ${channel} message needs content.text or content.data` }
  }
}
