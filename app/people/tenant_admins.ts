import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type User from '#models/user'
import { PeopleRuleException } from '#people/people_exceptions'

/**
 * Refuses a change that would leave the user's tenant without an enabled
 * admin (nobody could then invite or manage its people). The tenant's admins
 * are locked, so two admins demoting each other at once cannot both pass.
 */
export async function assertKeepsAnAdmin(user: User, trx: TransactionClientContract) {
  if (user.role !== 'admin' || user.disabledAt || !user.tenantId) return
  const admins = await trx.rawQuery(
    `SELECT id FROM users
     WHERE tenant_id = ? AND role = 'admin' AND disabled_at IS NULL
     ORDER BY id FOR UPDATE`,
    [user.tenantId]
  )
  const others = admins.rows.filter((row: { id: string }) => String(row.id) !== String(user.id))
  if (others.length === 0) {
    throw new PeopleRuleException(
      'A tenant needs at least one admin: make someone else an admin first'
    )
  }
}
