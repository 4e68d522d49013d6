import type { ApiClient } from '@japa/api-client'

/** A provider created through the API, as a tenant would; its id. */
export async function createProvider(
  client: ApiClient,
  headers: Record<string, string>,
  body: Record<string, unknown>
): Promise<string> {
  const response = await client.post('/api/v1/providers').headers(headers).json(body)
  response.assertStatus(201)
  return response.body().id
}
