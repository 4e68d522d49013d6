import hash from '@adonisjs/core/services/hash'
import type User from '#models/user'
import { fieldError } from '#people/validation_error'

/**
 * A change to how someone signs in asks for their current password: a
 * session left open on a shared screen is not enough.
 */
export async function assertCurrentPassword(user: User, given: string) {
  if (!(await hash.verify(user.password, given))) {
    throw fieldError('currentPassword', 'This is not your current password', 'current')
  }
}
