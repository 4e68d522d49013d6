import vine from '@vinejs/vine'
import { DateTime } from 'luxon'
import type { Infer } from '@vinejs/vine/types'
import { isoDateTime } from '#messaging/iso_date_time'
import { AUDIT_ACTOR_TYPES, type AuditActor } from '#messaging/audit/audit_log'

const name = () => vine.string().trim().minLength(1).maxLength(255)
const moment = () =>
  vine
    .string()
    .use(isoDateTime())
    .transform((value) => DateTime.fromISO(value, { setZone: true }).toJSDate())

/** `api_key:12`, `operator:ada`: one actor in one parameter */
const ACTOR = new RegExp(`^(${AUDIT_ACTOR_TYPES.join('|')}):(.+)$`)

/**
 * The audit log's filters, newest entry first: `before` is the cursor (the
 * `next` of the previous page), `limit` the page size.
 */
export const listAuditEntriesValidator = vine.compile(
  vine.object({
    action: name().optional(),
    actor: vine
      .string()
      .trim()
      .maxLength(255)
      .regex(ACTOR)
      .transform((value) => {
        const [, type, id] = ACTOR.exec(value)!
        return { type: type as AuditActor['type'], id }
      })
      .optional(),
    actorType: vine.enum(AUDIT_ACTOR_TYPES).optional().requiredIfExists('actorId'),
    actorId: name().optional(),
    targetType: name().optional(),
    targetId: name().optional(),
    since: moment().optional(),
    until: moment().optional(),
    before: vine
      .string()
      .regex(/^[1-9]\d{0,17}$/)
      .optional(),
    limit: vine.number().withoutDecimals().range([1, 100]).optional(),
  })
)

export type AuditFilters = Infer<typeof listAuditEntriesValidator>
