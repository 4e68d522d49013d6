export enum ConversationStatus {
  Open = 'open',
  Resolved = 'resolved',
}

export const CONVERSATION_STATUSES = Object.values(ConversationStatus)
