import type { DateTime } from 'luxon'
import { CANCELABLE_STATUSES, MessageStatus } from '#enums/message_status'
import type Message from '#models/message'
import type User from '#models/user'
import type { MessageFamily } from '#messaging/actions/related_messages'
import { carriesConsoleSecret } from '#messaging/console_secret'
import { isErasedMarker } from '#messaging/erasure/redaction'
import { shownTime } from '#controllers/console/shown_time'
import { timelineOf } from '#controllers/console/message_timeline_view'

/** The roles the cancel and retry routes let through (consoleRole on them) */
const CHANGING_ROLES: User['role'][] = ['operator', 'admin']

const CHANNEL_NAMES: Record<Message['channel'], string> = {
  email: 'Email',
  sms: 'SMS',
  push: 'Push notification',
  webhook: 'Webhook',
}

/** `Email to ada@example.com`; a received one (its recipient is our address) `SMS received at +4915…` */
function headingOf(message: Message) {
  const direction = message.direction === 'inbound' ? 'received at' : 'to'
  return `${CHANNEL_NAMES[message.channel] ?? message.channel} ${direction} ${message.recipient}`
}

/** The times worth a line in the details once they happened, in the order they happen */
function momentsOf(message: Message) {
  const pending = [MessageStatus.Scheduled, MessageStatus.Queued].includes(message.status)
  const moments: Array<[string, DateTime | null]> = [
    ['Scheduled for', message.scheduledAt],
    ['Next attempt', pending ? message.nextAttemptAt : null],
    ['Sent', message.sentAt],
    ['Delivered', message.deliveredAt],
    ['First opened', message.openedAt],
    ['First clicked', message.clickedAt],
    ['Failed', message.failedAt],
    ['Canceled', message.canceledAt],
  ]
  return moments.flatMap(([label, date]) => (date ? [{ label, time: shownTime(date)! }] : []))
}

/** A value of the message's metadata or push/webhook data as one line of text */
function shownValue(value: unknown) {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** What the message said; the console's own mail only its subject: its body holds a live link */
function contentOf(message: Message) {
  if (carriesConsoleSecret(message.messageType)) {
    return {
      subject: message.subject,
      text: null,
      html: null,
      data: null,
      template: null,
      hidden: true,
    }
  }
  const { text, html, data, templateId, templateVersion, locale } = message.content ?? {}
  return {
    subject: message.subject,
    hidden: false,
    text: text ?? null,
    html: html ?? null,
    /** A push's data or a webhook's body, pretty-printed */
    data: data && Object.keys(data).length > 0 ? JSON.stringify(data, null, 2) : null,
    template: templateId ? { id: templateId, version: templateVersion ?? null, locale } : null,
  }
}

/**
 * What the message page shows: the message with its times as text, its
 * content (none once erased), its family, its timeline, and which changes the
 * viewer may ask for. Shapes only: the data comes from the messaging actions.
 */
export function messagePage(message: Message, family: MessageFamily, viewer: User) {
  const erased = isErasedMarker(message.content)
  const mayChange = CHANGING_ROLES.includes(viewer.role)
  const retried = family.children.some((child) => child.relation === 'retry')
  return {
    message,
    heading: headingOf(message),
    erased,
    content: erased ? null : contentOf(message),
    metadata: erased
      ? []
      : Object.entries(message.metadata ?? {}).map(([key, value]) => ({
          key,
          value: shownValue(value),
        })),
    created: shownTime(message.createdAt)!,
    moments: momentsOf(message),
    family,
    timeline: timelineOf(message, viewer),
    canCancel: mayChange && CANCELABLE_STATUSES.includes(message.status),
    canRetry:
      mayChange &&
      !retried &&
      message.direction === 'outbound' &&
      message.status === MessageStatus.Failed,
  }
}
