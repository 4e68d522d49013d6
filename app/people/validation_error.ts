import { errors } from '@vinejs/vine'

/**
 * A refusal that belongs beside one field of the form (or on `field` of the
 * API's error shape): the same 422 VineJS gives, raised by a check only the
 * database can make (an email already taken).
 */
export function fieldError(field: string, message: string, rule = 'database') {
  return new errors.E_VALIDATION_ERROR([{ field, message, rule }])
}
