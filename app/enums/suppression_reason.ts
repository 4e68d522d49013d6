export enum SuppressionReason {
  HardBounce = 'hard_bounce',
  Complaint = 'complaint',
  SoftBounce = 'soft_bounce',
  Unsubscribe = 'unsubscribe',
  Manual = 'manual',
  Invalid = 'invalid',
  /** The recipient was erased (a data-protection request): kept by hash only */
  Erased = 'erased',
}

export const SUPPRESSION_REASONS = Object.values(SuppressionReason)
