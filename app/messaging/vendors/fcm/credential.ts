import { createPrivateKey, sign, type KeyObject } from 'node:crypto'
import type { Credential, GoogleOAuthAccessToken } from 'firebase-admin/app'
import { EgressHttp, HttpTimeoutError } from '#messaging/egress/egress_http'
import { EgressRefusedError, type EgressPolicy } from '#messaging/egress/egress_policy'
import { socketErrorText } from '#messaging/channels/gateway_failures'

/** Google's OAuth 2.0 token server: the only one a service account's token comes from */
const TOKEN_URL = 'https://oauth2.googleapis.com/token'
const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging'
const TOKEN_LIFETIME_SECONDS = 3600
/** A token reply is well under 2 KiB */
const MAX_REPLY_BYTES = 16 * 1024

/**
 * A service account's access token, fetched from Google through the egress
 * policy (the JWT bearer grant, RFC 7523). firebase-admin's cert() is not
 * used: as of 13.10 it fetches the token with google-auth-library without
 * the agent it is given, and the key file's `type` can pick a client that
 * calls URLs written in the file (token_uri, token_url, credential_source),
 * and a tenant writes that file. Here only its email and key are read.
 * firebase-admin caches the token until it nears expiry.
 */
export class ServiceAccountCredential implements Credential {
  readonly #clientEmail: string
  readonly #privateKey: KeyObject
  readonly #http: EgressHttp

  /** Throws when the key file has no client_email or an unreadable private_key. */
  constructor(
    serviceAccount: Record<string, unknown>,
    policy: EgressPolicy,
    private timeoutMs: number
  ) {
    const { client_email: clientEmail, private_key: privateKey } = serviceAccount
    if (typeof clientEmail !== 'string' || typeof privateKey !== 'string') {
      throw new Error('the service account needs client_email and private_key')
    }
    this.#clientEmail = clientEmail
    this.#privateKey = createPrivateKey(privateKey)
    this.#http = new EgressHttp(policy, { maxResponseBytes: MAX_REPLY_BYTES })
  }

  async getAccessToken(): Promise<GoogleOAuthAccessToken> {
    const form = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: this.#assertion(),
    })
    const reply = await this.#http
      .post(
        TOKEN_URL,
        { 'content-type': 'application/x-www-form-urlencoded' },
        form.toString(),
        this.timeoutMs
      )
      .catch((error: unknown) => {
        throw new Error(`could not reach the token server: ${reachFailure(error)}`)
      })
    const token = parseToken(reply.body)
    if (reply.status !== 200 || !token) {
      // OAuth's error code (invalid_grant, ...) is shown; the rest of the reply is not
      const code = oauthErrorCode(reply.body)
      throw new Error(`the token server answered HTTP ${reply.status}${code ? ` (${code})` : ''}`)
    }
    return token
  }

  close() {
    this.#http.close()
  }

  #assertion() {
    const issuedAt = Math.floor(Date.now() / 1000)
    const header = base64url({ alg: 'RS256', typ: 'JWT' })
    const claims = base64url({
      iss: this.#clientEmail,
      scope: SCOPE,
      aud: TOKEN_URL,
      iat: issuedAt,
      exp: issuedAt + TOKEN_LIFETIME_SECONDS,
    })
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), this.#privateKey)
    return `${header}.${claims}.${signature.toString('base64url')}`
  }
}

function base64url(value: object) {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

/** The refusal's or the deadline's own text, Node's socket error text, or the error's name */
function reachFailure(error: unknown) {
  if (error instanceof EgressRefusedError) return `refused by the egress policy: ${error.message}`
  if (error instanceof HttpTimeoutError) return error.message
  return socketErrorText(error) ?? (error instanceof Error ? error.name : 'unknown error')
}

function parseJson(body: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(body)
    return typeof parsed === 'object' && parsed !== null
      ? (parsed as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}

function parseToken(body: string): GoogleOAuthAccessToken | null {
  const parsed = parseJson(body)
  if (typeof parsed?.access_token !== 'string' || typeof parsed.expires_in !== 'number') {
    return null
  }
  return { access_token: parsed.access_token, expires_in: parsed.expires_in }
}

function oauthErrorCode(body: string) {
  const error = parseJson(body)?.error
  return typeof error === 'string' && /^[a-z_]{1,64}$/.test(error) ? error : null
}
