import { generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto'

export interface SentEmail {
  id: string
  recipient: string
  providerMessageId: string
}

export interface SignedCallback {
  body: string
  headers: Record<string, string>
}

/**
 * Signs Postal delivery callbacks (MessageSent, which we read as delivered)
 * as a Postal server does, with a key of its own whose public half the bench
 * tenant's Postal config holds. The bodies follow the Postal fake's (and
 * Postal's) webhook format; signing happens before the clock starts.
 */
export class PostalCallbackSigner {
  #privateKey: KeyObject
  /** Base64 SPKI DER: the provider config's webhookPublicKey */
  readonly publicKey: string

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    this.#privateKey = privateKey
    this.publicKey = publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
  }

  messageSent(email: SentEmail, from: string): SignedCallback {
    const now = Date.now() / 1000
    const domain = email.recipient.slice(email.recipient.lastIndexOf('@') + 1)
    const body = JSON.stringify({
      event: 'MessageSent',
      timestamp: now,
      uuid: randomUUID(),
      payload: {
        message: {
          id: randomBytes(4).readUInt32BE(),
          token: randomBytes(6).toString('hex'),
          direction: 'outgoing',
          message_id: email.providerMessageId,
          to: email.recipient,
          from,
          subject: 'Bench',
          timestamp: now,
          spam_status: 'NotChecked',
          // Our message id, as PostalGateway tags every message
          tag: email.id,
        },
        status: 'Sent',
        details: `Message for ${email.recipient} accepted by mx.${domain}`,
        output: '250 2.0.0 OK',
        sent_with_ssl: true,
        timestamp: now,
        time: 0.12,
      },
    })
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Postal/3.3.4',
        // Postal ≥ 3.2 also sends the SHA-1 X-Postal-Signature; the verifier reads this one first
        'x-postal-signature-256': sign('sha256', Buffer.from(body), this.#privateKey).toString(
          'base64'
        ),
      },
    }
  }
}
