import type { Infer } from '@vinejs/vine/types'
import type { sendMessageValidator, sendBulkValidator } from '#validators/message'

/** One message as POST /api/v1/messages accepts it, validated */
export type SendRequest = Infer<typeof sendMessageValidator>

/** One message per recipient as POST /api/v1/messages/bulk accepts it, validated */
export type BulkSendRequest = Infer<typeof sendBulkValidator>
