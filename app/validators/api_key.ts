import vine from '@vinejs/vine'
import type { Infer } from '@vinejs/vine/types'
import { API_KEY_KINDS, API_KEY_SCOPES, type ApiKeyScope } from '#messaging/tenants/api_key_scopes'

/** Rotation grace: at most a week of two keys working at once */
export const MAX_GRACE_SECONDS = 7 * 86_400

/**
 * Reported on `scopes` itself, not on one entry: the list as a whole is what
 * is wrong. A test key never holds `manage` (providers, suppressions and keys
 * are shared with the live traffic).
 */
const knownScopes = vine.createRule((value, _options, field) => {
  const scopes = value as unknown[]
  if (!scopes.every((scope) => API_KEY_SCOPES.includes(scope as ApiKeyScope))) {
    field.report(
      `The {{ field }} field may hold only ${API_KEY_SCOPES.join(', ')}`,
      'scopes',
      field
    )
  } else if ((field.parent as { kind?: unknown }).kind === 'test' && scopes.includes('manage')) {
    field.report('A test key may not hold the manage scope', 'scopes', field)
  }
})

export const issueApiKeyValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(100),
    scopes: vine
      .array(vine.any().transform((scope) => scope as ApiKeyScope))
      .minLength(1)
      .distinct()
      .use(knownScopes()),
    kind: vine.enum(API_KEY_KINDS).optional(),
    expiresInDays: vine.number().withoutDecimals().range([1, 3650]).optional(),
  })
)

export const rotateApiKeyValidator = vine.compile(
  vine.object({
    graceSeconds: vine.number().withoutDecimals().range([0, MAX_GRACE_SECONDS]).optional(),
  })
)

export type IssueApiKeyRequest = Infer<typeof issueApiKeyValidator>
