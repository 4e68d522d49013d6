import { X509Certificate, createHash, randomUUID, sign } from 'node:crypto'
import { createSelfSignedCertificate } from '#sandbox/fakes/self_signed_certificate'

export interface SnsNotification {
  Type: 'Notification'
  MessageId: string
  TopicArn: string
  Subject?: string
  Message: string
  Timestamp: string
  SignatureVersion: '2'
  Signature: string
  SigningCertURL: string
  UnsubscribeURL: string
}

/** Notification fields in the order SNS signs them; an absent one is skipped */
const SIGNED_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const

/**
 * Builds SNS HTTP deliveries signed as SNS signs them (SignatureVersion 2:
 * SHA256withRSA over the canonical string), with a self-signed certificate.
 * A verifier gets `certificatePem` for `signingCertUrl` from an injected
 * certificate fetcher instead of downloading it.
 */
export class SnsNotificationSigner {
  readonly certificatePem: string
  readonly signingCertUrl: string
  readonly subscriptionArn: string
  #certificate = createSelfSignedCertificate({
    commonName: 'sns.amazonaws.com',
    organization: 'Switchboard fake SNS',
    validDays: 365,
  })
  #region: string

  constructor(
    readonly topicArn: string,
    region: string
  ) {
    this.#region = region
    this.certificatePem = this.#certificate.certificatePem
    this.subscriptionArn = `${topicArn}:${randomUUID()}`
    // SNS names its certificates SimpleNotificationService-<32 hex>.pem.
    const name = createHash('sha256')
      .update(new X509Certificate(this.certificatePem).raw)
      .digest('hex')
      .slice(0, 32)
    this.signingCertUrl = `https://sns.${region}.amazonaws.com/SimpleNotificationService-${name}.pem`
  }

  /** One signed Notification with its HTTP headers, as SNS posts it to an HTTP endpoint */
  notification(message: string, subject?: string) {
    const messageId = randomUUID()
    const timestamp = new Date().toISOString()
    const signed: Record<(typeof SIGNED_FIELDS)[number], string | undefined> = {
      Message: message,
      MessageId: messageId,
      Subject: subject,
      Timestamp: timestamp,
      TopicArn: this.topicArn,
      Type: 'Notification',
    }
    const stringToSign = SIGNED_FIELDS.filter((field) => signed[field] !== undefined)
      .map((field) => `${field}\n${signed[field]}\n`)
      .join('')
    const signature = sign('sha256', Buffer.from(stringToSign), this.#certificate.privateKey)
    const notification: SnsNotification = {
      Type: 'Notification',
      MessageId: messageId,
      TopicArn: this.topicArn,
      ...(subject === undefined ? {} : { Subject: subject }),
      Message: message,
      Timestamp: timestamp,
      SignatureVersion: '2',
      Signature: signature.toString('base64'),
      SigningCertURL: this.signingCertUrl,
      UnsubscribeURL: `https://sns.${this.#region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${this.subscriptionArn}`,
    }
    return {
      // SNS posts JSON as text/plain.
      body: JSON.stringify(notification),
      headers: {
        'Content-Type': 'text/plain; charset=UTF-8',
        'User-Agent': 'Amazon Simple Notification Service Agent',
        'x-amz-sns-message-type': notification.Type,
        'x-amz-sns-message-id': notification.MessageId,
        'x-amz-sns-topic-arn': notification.TopicArn,
        'x-amz-sns-subscription-arn': this.subscriptionArn,
      },
    }
  }
}
