import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import User from '#models/user'
import { PeopleRuleException } from '#people/people_exceptions'

/**
 * The row of a person about to be changed, locked, after their tenant's row:
 * every change that could leave a tenant without an admin takes the tenant's
 * row first, so two admins demoting or disabling each other at once wait in
 * turn, instead of each locking one admin and then waiting for the other's
 * (a deadlock). FOR NO KEY UPDATE: the messages and keys inserted under the
 * tenant meanwhile (FOR KEY SHARE on it) are not held up.
 */
export async function lockForChange(target: User, trx: TransactionClientContract) {
  if (target.tenantId) {
    await trx.rawQuery('SELECT id FROM tenants WHERE id = ? FOR NO KEY UPDATE', [target.tenantId])
  }
  return User.query({ client: trx }).where('id', target.id).forUpdate().firstOrFail()
}

/**
 * Refuses a change that would leave the user's tenant without an enabled
 * admin (nobody could then invite or manage its people). Counted under the
 * tenant's lock (lockForChange), which every such change holds.
 */
export async function assertKeepsAnAdmin(user: User, trx: TransactionClientContract) {
  if (user.role !== 'admin' || user.disabledAt || !user.tenantId) return
  const others = await User.query({ client: trx })
    .where('tenant_id', user.tenantId)
    .where('role', 'admin')
    .whereNull('disabled_at')
    .whereNot('id', user.id)
    .first()
  if (!others) {
    throw new PeopleRuleException(
      'A tenant needs at least one admin: make someone else an admin first'
    )
  }
}
