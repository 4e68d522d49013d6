import vine from '@vinejs/vine'
import { Channel } from '#enums/channel'

export type RecipientCheck =
  | { valid: true; address: string; domain: string | null }
  | { valid: false; reason: string }

const E164 = /^\+[1-9]\d{6,14}$/
// FCM registration tokens: long URL-safe strings (with a colon after the instance id)
const PUSH_TOKEN = /^[A-Za-z0-9_:\-.]{32,4096}$/

/**
 * What a valid recipient looks like on each channel, and its normal form: the
 * form stored, suppressed and compared.
 */
export function checkRecipient(channel: Channel, raw: string): RecipientCheck {
  const value = raw.trim()
  switch (channel) {
    case Channel.Email: {
      const address = value.toLowerCase()
      if (address.length > 254 || !vine.helpers.isEmail(address)) {
        return { valid: false, reason: 'must be a valid email address' }
      }
      return { valid: true, address, domain: address.slice(address.lastIndexOf('@') + 1) }
    }
    case Channel.Sms: {
      const address = value.replace(/[\s().-]/g, '')
      if (!E164.test(address)) {
        return { valid: false, reason: 'must be a phone number in E.164 format (+14155550100)' }
      }
      return { valid: true, address, domain: null }
    }
    case Channel.Push: {
      if (!PUSH_TOKEN.test(value)) {
        return { valid: false, reason: 'must be a device registration token' }
      }
      return { valid: true, address: value, domain: null }
    }
    case Channel.Webhook: {
      if (!vine.helpers.isURL(value, { protocols: ['https'], require_protocol: true })) {
        return { valid: false, reason: 'must be an https URL' }
      }
      return { valid: true, address: value, domain: new URL(value).hostname }
    }
  }
}
