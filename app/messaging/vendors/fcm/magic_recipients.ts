/**
 * What the fake FCM does for each magic registration token, by prefix:
 *   unregistered-…  404 NOT_FOUND, errorCode UNREGISTERED (the app was uninstalled)
 *   invalid-…       400 INVALID_ARGUMENT, errorCode INVALID_ARGUMENT
 *   quota-…         429 RESOURCE_EXHAUSTED, errorCode QUOTA_EXCEEDED, Retry-After: 60
 *   unavailable-…   503 UNAVAILABLE, errorCode UNAVAILABLE, Retry-After: 120
 *   internal-…      500 INTERNAL, errorCode INTERNAL
 *   mismatch-…      403 PERMISSION_DENIED, errorCode SENDER_ID_MISMATCH
 *   apns-auth-…     401 UNAUTHENTICATED, errorCode THIRD_PARTY_AUTH_ERROR
 *   timeout-…       accepted and counted, but the reply is held for `hangMs` (30 s) or until
 *                   the client gives up
 *   anything else   200 {"name":"projects/{id}/messages/…"}
 */
export const FCM_MAGIC_TOKEN_PREFIXES = {
  unregistered: 'unregistered-',
  invalid: 'invalid-',
  quota: 'quota-',
  unavailable: 'unavailable-',
  internal: 'internal-',
  mismatch: 'mismatch-',
  thirdPartyAuth: 'apns-auth-',
  timeout: 'timeout-',
} as const
