const MAGIC_DOMAIN = 'postal.sandbox.switchboard.test'

/**
 * What the fake Postal server does for each magic recipient (any domain, case
 * and `+label` ignored). Accepted sends are counted per X-Switchboard-Message-Id header:
 *   anything else   accepted; webhook MessageSent
 *   bounce@         accepted; MessageSent, then MessageBounced
 *   hardfail@       accepted; MessageDeliveryFailed (HardFail)
 *   softfail@       accepted; MessageDelayed (SoftFail: Postal retries itself)
 *   held@           accepted; MessageHeld
 *   timeout@        accepted and counted, but the reply is held for `hangMs`,
 *                   like a server that answers after the client gave up
 *   fail500@        HTTP 500 with an HTML page (nothing accepted)
 *   notjson@        HTTP 200 with an HTML page, as a proxy's error page
 *   parameter-error@  a parameter-error envelope
 *   error-<Code>@   the error envelope with that code, e.g. error-ServerSuspended@
 * Postal has no complaint event, so there is no complaint@.
 */
export const POSTAL_MAGIC_RECIPIENTS = {
  delivered: `delivered@${MAGIC_DOMAIN}`,
  bounce: `bounce@${MAGIC_DOMAIN}`,
  hardFail: `hardfail@${MAGIC_DOMAIN}`,
  softFail: `softfail@${MAGIC_DOMAIN}`,
  held: `held@${MAGIC_DOMAIN}`,
  timeout: `timeout@${MAGIC_DOMAIN}`,
  fail500: `fail500@${MAGIC_DOMAIN}`,
  notJson: `notjson@${MAGIC_DOMAIN}`,
  parameterError: `parameter-error@${MAGIC_DOMAIN}`,
  error: (code: string) => `error-${code}@${MAGIC_DOMAIN}`,
} as const
