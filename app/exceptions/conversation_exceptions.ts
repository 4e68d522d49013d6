import { DomainException } from '#exceptions/api_error'

export class ConversationNotFoundException extends DomainException {
  static status = 404
  static code = 'E_NOT_FOUND'
  constructor() {
    super('Conversation not found')
  }
}
