/**
 * What the fake Twilio does for each magic recipient (To), in the spirit of
 * Twilio's test numbers:
 *   +15005550006  accepted; callbacks: sent, then delivered (any unlisted number behaves the same)
 *   +15005550001  400, code 21211: invalid 'To' number
 *   +15005550009  400, code 21614: not a mobile number
 *   +15005550004  400, code 21610: the recipient replied STOP
 *   +15005550010  429, code 20429: too many requests
 *   +15005550016  429, code 20429 on a message's first try; accepted when it is tried again
 *   +15005550011  500, code 20500: internal error
 *   +15005550012  accepted and counted, but the reply is held for `hangMs` (30 s) or until
 *                 the client gives up: a timeout after which the message went out anyway
 *   +15005550013  accepted; callbacks: sent, then undelivered with ErrorCode 30003 (unreachable)
 *   +15005550014  accepted; callbacks: sent, then undelivered with ErrorCode 30005 (unknown handset)
 *   +15005550015  accepted; callback: failed with ErrorCode 30007 (filtered)
 */
export const TWILIO_MAGIC_NUMBERS = {
  delivered: '+15005550006',
  invalidNumber: '+15005550001',
  notMobile: '+15005550009',
  optedOut: '+15005550004',
  rateLimited: '+15005550010',
  serverError: '+15005550011',
  hangs: '+15005550012',
  unreachable: '+15005550013',
  unknownHandset: '+15005550014',
  filtered: '+15005550015',
  rateLimitedOnce: '+15005550016',
} as const
