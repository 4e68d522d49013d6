import { userInfo } from 'node:os'
import type { AuditActor } from '#messaging/audit/audit_log'
import type { ApiKeyIdentity } from '#messaging/tenants/api_key_scopes'

/** A change made over the API is the key's. */
export function apiKeyActor(apiKey: Pick<ApiKeyIdentity, 'id'>): AuditActor {
  return { type: 'api_key', id: apiKey.id }
}

/**
 * A change made with `node ace` is the operator's: SWITCHBOARD_OPERATOR when
 * set (a deploy script naming the person), else the login running the command.
 */
export function operatorActor(env: NodeJS.ProcessEnv = process.env): AuditActor {
  return { type: 'operator', id: env.SWITCHBOARD_OPERATOR || userInfo().username }
}

/** A change made in the console is the signed-in person's. */
export function userActor(user: { id: number }): AuditActor {
  return { type: 'user', id: String(user.id) }
}
