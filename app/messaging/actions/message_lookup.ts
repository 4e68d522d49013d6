import vine from '@vinejs/vine'
import Message from '#models/message'
import { MessageNotFoundException } from '#exceptions/domain_exceptions'

/** An id that is not a UUID names no message: 404 without a query. */
export function assertMessageId(id: string) {
  if (!vine.helpers.isUUID(id)) {
    throw new MessageNotFoundException()
  }
}

/** A message known to exist and to belong to the tenant. */
export function tenantMessage(tenantId: string, id: string) {
  return Message.query().where('tenant_id', tenantId).where('id', id).firstOrFail()
}

/**
 * The tenant a message belongs to, for a reader allowed to see more than one
 * tenant's (a console operator), who then reads it through the tenant's scope.
 */
export async function messageTenantOf(id: string) {
  assertMessageId(id)
  const message = await Message.query().select('tenant_id').where('id', id).first()
  if (!message) {
    throw new MessageNotFoundException()
  }
  return message.tenantId
}
