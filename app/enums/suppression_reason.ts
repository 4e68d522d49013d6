export enum SuppressionReason {
  HardBounce = 'hard_bounce',
  Complaint = 'complaint',
  SoftBounce = 'soft_bounce',
  Unsubscribe = 'unsubscribe',
  Manual = 'manual',
  Invalid = 'invalid',
}

export const SUPPRESSION_REASONS = Object.values(SuppressionReason)
