import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import { DateTime } from 'luxon'
import env from '#start/env'
import { CHANNELS } from '#enums/channel'
import { PRIORITIES } from '#enums/priority'
import {
  recipientForChannel,
  contentForChannel,
  contentForFallback,
} from '#validators/message_rules'
import { isoDateTime } from '#messaging/iso_date_time'
import { templateLocale } from '#validators/template'

const freeObject = () => vine.record(vine.any())
const shortText = () => vine.string().trim().minLength(1).maxLength(255)

/** The fields a single send and a bulk send share. */
const sharedFields = {
  channel: vine.enum(CHANNELS),
  priority: vine.enum(PRIORITIES).optional(),
  // `console.*` is the console's own mail, whose content is never shown (carriesConsoleSecret)
  messageType: vine
    .string()
    .trim()
    .minLength(1)
    .maxLength(64)
    .regex(/^(?!console\.)/)
    .optional(),
  subject: vine.string().trim().maxLength(998).optional(),
  content: vine
    .object({
      text: vine.string().maxLength(100_000).optional(),
      html: vine.string().maxLength(2_000_000).optional(),
      variables: freeObject().optional(),
      data: freeObject().optional(),
      /** Any version of a template: the newest active one in `locale` renders subject, html and text */
      templateId: vine.string().uuid().optional(),
      locale: templateLocale().optional(),
    })
    .use(contentForChannel()),
  scheduledAt: vine
    .string()
    .use(isoDateTime())
    .transform((value) => DateTime.fromISO(value, { setZone: true }).toJSDate())
    .optional(),
  sourceType: shortText().optional(),
  sourceId: shortText().optional(),
  metadata: freeObject().optional(),
}

const messages = new SimpleMessagesProvider({
  'messageType.regex': 'The messageType prefix "console." is reserved for the console\'s own mail',
})

export const sendMessageValidator = vine.compile(
  vine.object({
    ...sharedFields,
    recipient: vine.string().trim().maxLength(4096).use(recipientForChannel()),
    idempotencyKey: shortText().optional(),
    /** Channels to try in turn when this message fails for good, e.g. push → sms → email */
    fallback: vine
      .array(
        vine
          .object({
            channel: vine.enum(CHANNELS),
            recipient: vine.string().trim().maxLength(4096).use(recipientForChannel()),
          })
          .use(contentForFallback())
      )
      .maxLength(3)
      .optional(),
  })
)

/**
 * Recipients are checked one by one in the service: a bad address is counted
 * as rejected instead of failing the whole batch.
 */
export const sendBulkValidator = vine.compile(
  vine.object({
    ...sharedFields,
    recipients: vine
      .array(
        vine.object({
          recipient: vine.string().maxLength(4096),
          variables: freeObject().optional(),
        })
      )
      .minLength(1)
      .maxLength(env.get('BULK_MAX_RECIPIENTS')),
  })
)

sendMessageValidator.messagesProvider = messages
sendBulkValidator.messagesProvider = messages
