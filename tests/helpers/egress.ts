import { randomUUID } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import type { Group } from '@japa/runner/core'
import { Channel } from '#enums/channel'
import { EgressPolicy } from '#messaging/egress/egress_policy'
import { FcmGateway } from '#messaging/vendors/fcm/gateway'
import type { Gateway } from '#messaging/channels/gateway'
import type { OutboundMessage } from '#messaging/channels/outbound'
import { PostalGateway } from '#messaging/vendors/postal/gateway'
import { SesGateway } from '#messaging/vendors/ses/gateway'
import { TwilioGateway } from '#messaging/vendors/twilio/gateway'

/** Where every host name resolves to in withPublicDns: a public address */
export const PUBLIC_ADDRESS = '93.184.216.34'

/**
 * For a group whose tenants name hosts like postal.example.com, which this
 * machine's DNS does not resolve: each test gets a policy that resolves every
 * name to a public address, IP literals judged as they are, loopback allowed
 * as .env.test allows it.
 */
export function withPublicDns(group: Group) {
  group.each.setup(() => {
    const resolver = async () => [{ address: PUBLIC_ADDRESS, family: 4 }]
    app.container.swap(EgressPolicy, () => new EgressPolicy(['127.0.0.0/8', '::1/128'], resolver))
    return () => app.container.restore(EgressPolicy)
  })
}

/** The provider types whose vendor SDK or client calls an address the tenant sets */
export type AddressedProviderType = 'postal' | 'ses' | 'twilio' | 'fcm'

export const ADDRESSED_PROVIDER_TYPES: AddressedProviderType[] = ['postal', 'ses', 'twilio', 'fcm']

/** The field of each type's config that holds the tenant-set address */
export const ADDRESS_FIELDS: Record<AddressedProviderType, string> = {
  postal: 'config.baseUrl',
  ses: 'config.endpoint',
  twilio: 'config.baseUrl',
  fcm: 'config.baseUrl',
}

/** The API body of a tenant provider of that type whose tenant-set address is `url` */
export function tenantProviderAt(type: AddressedProviderType, url: string) {
  switch (type) {
    case 'postal':
      return {
        type,
        channel: 'email',
        name: 'Postal',
        config: { baseUrl: url, apiKey: 'postal-key', from: 'sender@example.com' },
      }
    case 'ses':
      return {
        type,
        channel: 'email',
        name: 'SES',
        config: {
          region: 'us-east-1',
          accessKeyId: 'AKIAEGRESSTEST',
          secretAccessKey: 'ses-secret',
          endpoint: url,
          from: 'sender@example.com',
        },
      }
    case 'twilio':
      return {
        type,
        channel: 'sms',
        name: 'Twilio',
        config: {
          accountSid: `AC${'0'.repeat(32)}`,
          authToken: 'twilio-token',
          from: '+15005550006',
          baseUrl: url,
        },
      }
    case 'fcm':
      return {
        type,
        channel: 'push',
        name: 'FCM',
        config: {
          projectId: 'egress-test',
          serviceAccount: {
            project_id: 'egress-test',
            client_email: 'fcm@egress-test.iam.test',
            private_key: 'unused with a baseUrl',
          },
          baseUrl: url,
        },
      }
  }
}

/** A gateway of that type, built directly, with its tenant-set address at `url` */
export function gatewayAt(
  type: AddressedProviderType,
  url: string,
  policy: EgressPolicy,
  timeoutMs = 2_000
): Gateway {
  switch (type) {
    case 'postal':
      return new PostalGateway({
        baseUrl: url,
        apiKey: 'postal-key',
        from: 'sender@example.com',
        timeoutMs,
        policy,
      })
    case 'ses':
      return new SesGateway({
        region: 'us-east-1',
        accessKeyId: 'AKIAEGRESSTEST',
        secretAccessKey: 'ses-secret',
        endpoint: url,
        from: 'sender@example.com',
        timeoutMs,
        policy,
      })
    case 'twilio':
      return new TwilioGateway({
        accountSid: `AC${'0'.repeat(32)}`,
        authToken: 'twilio-token',
        from: '+15005550006',
        baseUrl: url,
        timeoutMs,
        policy,
      })
    case 'fcm':
      return new FcmGateway({
        projectId: 'egress-test',
        serviceAccount: {},
        baseUrl: url,
        timeoutMs,
        policy,
      })
  }
}

/** A message of the channel a gateway of that type carries */
export function messageFor(type: AddressedProviderType): OutboundMessage {
  const messageId = randomUUID()
  const tenantId = randomUUID()
  switch (type) {
    case 'postal':
    case 'ses':
      return {
        channel: Channel.Email,
        messageId,
        tenantId,
        messageType: 'test.message',
        to: 'someone@example.com',
        subject: 'Hello',
        html: null,
        text: 'Hello',
        replyTo: null,
        headers: {},
        tags: { switchboard_message_id: messageId },
      }
    case 'twilio':
      return {
        channel: Channel.Sms,
        messageId,
        tenantId,
        messageType: 'test.message',
        to: '+15005550006',
        body: 'Hello',
        encoding: 'GSM-7',
        segments: 1,
      }
    case 'fcm':
      return {
        channel: Channel.Push,
        messageId,
        tenantId,
        messageType: 'test.message',
        token: 'device-token',
        title: 'Hello',
        body: null,
        data: { switchboardMessageId: messageId },
      }
  }
}
