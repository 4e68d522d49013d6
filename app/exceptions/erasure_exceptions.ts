import { errors as vineErrors } from '@vinejs/vine'

/**
 * An erasure asked for something that is no recipient on any channel a
 * person is reached on: answered like any validation error, 422 E_VALIDATION.
 */
export class ErasureAddressException extends vineErrors.E_VALIDATION_ERROR {
  constructor() {
    const message = 'must be an email address, a phone number in E.164 format or a push token'
    super([{ field: 'address', message, rule: 'recipient' }])
    this.message = `address ${message}`
  }
}
