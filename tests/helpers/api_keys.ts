import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'

/** POST /api/v1/keys */
export function issueKeyThroughApi(
  client: ApiClient,
  headers: Record<string, string>,
  body: Record<string, unknown>
) {
  return client.post('/api/v1/keys').headers(headers).json(body)
}

/** GET /api/v1/keys: the listed keys */
export async function listedKeys(client: ApiClient, headers: Record<string, string>) {
  const response = await client.get('/api/v1/keys').headers(headers)
  response.assertStatus(200)
  return response.body().keys as Array<Record<string, unknown>>
}

/** The tenant's stored key rows, as @adonisjs/auth wrote them */
export function keyRowsOf(tenantId: string) {
  return db.from('api_keys').where('tokenable_id', tenantId).orderBy('id')
}

/** Moves a key's expiry into the past, as if its time had come */
export async function expireKey(keyId: string) {
  await db
    .from('api_keys')
    .where('id', keyId)
    .update({ expires_at: new Date(Date.now() - 1000) })
}

/** The status of a read (GET /api/v1/providers) made with the key: 200 while it works, 401 once it does not */
export async function readStatus(client: ApiClient, apiKey: string) {
  const response = await client.get('/api/v1/providers').bearerToken(apiKey)
  return response.status()
}
