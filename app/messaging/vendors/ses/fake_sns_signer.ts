import { X509Certificate, createHash, randomBytes, randomUUID, sign } from 'node:crypto'
import { createSelfSignedCertificate } from '#messaging/vendors/fakes/self_signed_certificate'

export interface SnsNotification {
  Type: 'Notification'
  MessageId: string
  TopicArn: string
  Subject?: string
  Message: string
  Timestamp: string
  SignatureVersion: '1' | '2'
  Signature: string
  SigningCertURL: string
  UnsubscribeURL: string
}

export interface SnsSubscriptionConfirmation {
  Type: 'SubscriptionConfirmation'
  MessageId: string
  Token: string
  TopicArn: string
  Message: string
  SubscribeURL: string
  Timestamp: string
  SignatureVersion: '1' | '2'
  Signature: string
  SigningCertURL: string
}

/** How to sign: SHA1withRSA (version 1) or SHA256withRSA (2, the default), and when */
export interface SnsSigningOptions {
  signatureVersion?: '1' | '2'
  timestamp?: Date
}

/**
 * The fields SNS signs, in order, per message type; an absent one is skipped.
 * A copy of sns_signature.ts's list on purpose: the fake signs as SNS does,
 * independently of the verifier it is there to test.
 */
const SIGNED_FIELDS = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
  ],
} as const

/**
 * Builds SNS HTTP deliveries signed as SNS signs them (SignatureVersion 2:
 * SHA256withRSA, or 1: SHA1withRSA, over the canonical string of the message
 * type), with a self-signed certificate.
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
  notification(message: string, subject?: string, options: SnsSigningOptions = {}) {
    const unsigned = {
      Type: 'Notification' as const,
      MessageId: randomUUID(),
      TopicArn: this.topicArn,
      ...(subject === undefined ? {} : { Subject: subject }),
      Message: message,
      Timestamp: (options.timestamp ?? new Date()).toISOString(),
    }
    const notification: SnsNotification = {
      ...unsigned,
      ...this.#signature(SIGNED_FIELDS.Notification, unsigned, options),
      UnsubscribeURL: `https://sns.${this.#region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${this.subscriptionArn}`,
    }
    return this.#delivery(notification)
  }

  /**
   * The signed SubscriptionConfirmation SNS posts when an HTTP endpoint is
   * subscribed; the endpoint confirms with a GET to its SubscribeURL.
   */
  subscriptionConfirmation(options: SnsSigningOptions = {}) {
    const token = randomBytes(64).toString('hex')
    const unsigned = {
      Type: 'SubscriptionConfirmation' as const,
      MessageId: randomUUID(),
      Token: token,
      TopicArn: this.topicArn,
      Message: `You have chosen to subscribe to the topic ${this.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
      SubscribeURL: `https://sns.${this.#region}.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${this.topicArn}&Token=${token}`,
      Timestamp: (options.timestamp ?? new Date()).toISOString(),
    }
    const confirmation: SnsSubscriptionConfirmation = {
      ...unsigned,
      ...this.#signature(SIGNED_FIELDS.SubscriptionConfirmation, unsigned, options),
    }
    return this.#delivery(confirmation)
  }

  #signature(
    fields: readonly string[],
    message: Record<string, string | undefined>,
    options: SnsSigningOptions
  ) {
    const signatureVersion = options.signatureVersion ?? '2'
    const stringToSign = fields
      .filter((field) => message[field] !== undefined)
      .map((field) => `${field}\n${message[field]}\n`)
      .join('')
    const algorithm = signatureVersion === '1' ? 'sha1' : 'sha256'
    const signature = sign(algorithm, Buffer.from(stringToSign), this.#certificate.privateKey)
    return {
      SignatureVersion: signatureVersion,
      Signature: signature.toString('base64'),
      SigningCertURL: this.signingCertUrl,
    }
  }

  #delivery(message: SnsNotification | SnsSubscriptionConfirmation) {
    return {
      // SNS posts JSON as text/plain.
      body: JSON.stringify(message),
      headers: {
        'Content-Type': 'text/plain; charset=UTF-8',
        'User-Agent': 'Amazon Simple Notification Service Agent',
        'x-amz-sns-message-type': message.Type,
        'x-amz-sns-message-id': message.MessageId,
        'x-amz-sns-topic-arn': message.TopicArn,
        'x-amz-sns-subscription-arn': this.subscriptionArn,
      },
    }
  }
}
