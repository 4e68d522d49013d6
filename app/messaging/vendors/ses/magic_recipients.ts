const SIMULATOR = 'simulator.amazonses.com'
const MAGIC_DOMAIN = 'ses.sandbox.switchboard.test'

/**
 * What the fake SES does for each magic recipient (matched on the local part,
 * any domain, case and `+label` ignored). Accepted sends are counted per the
 * `switchboard_message_id` email tag:
 *   anything else / success@  accepted; Delivery event
 *   bounce@             accepted; Bounce (Permanent, General)
 *   complaint@          accepted; Delivery, then Complaint (abuse)
 *   suppressionlist@    accepted; Bounce (Permanent, OnAccountSuppressionList)
 *   timeout@            accepted and counted, but the reply is held for
 *                       `hangMs`, like SES answering after the client gave up
 *   throttle@           429 TooManyRequestsException
 *   fail503@            503 from the load balancer: no error type, HTML body
 *   rejected@           400 MessageRejected
 *   error-<Name>@       that SES error with its status (SES_ERRORS), e.g.
 *                       error-SendingPausedException@; unknown names get 400
 * The first four are SES's own mailbox simulator addresses.
 */
export const SES_MAGIC_RECIPIENTS = {
  success: `success@${SIMULATOR}`,
  bounce: `bounce@${SIMULATOR}`,
  complaint: `complaint@${SIMULATOR}`,
  suppressionList: `suppressionlist@${SIMULATOR}`,
  timeout: `timeout@${MAGIC_DOMAIN}`,
  throttle: `throttle@${MAGIC_DOMAIN}`,
  fail503: `fail503@${MAGIC_DOMAIN}`,
  rejected: `rejected@${MAGIC_DOMAIN}`,
  error: (name: string) => `error-${name}@${MAGIC_DOMAIN}`,
} as const
