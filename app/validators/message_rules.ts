import vine from '@vinejs/vine'
import type { FieldContext } from '@vinejs/vine/types'
import { CHANNELS, type Channel } from '#enums/channel'
import { checkRecipient } from '#messaging/recipients/recipient_rules'
import { checkContent } from '#messaging/channels/content_rules'
import type { MessageContent } from '#models/message'

function channelOf(field: FieldContext): Channel | null {
  const channel = field.parent?.channel
  return CHANNELS.includes(channel) ? channel : null
}

/** The recipient must fit the message's channel (email, E.164 phone, token, https URL). */
export const recipientForChannel = vine.createRule((value, _options, field) => {
  const channel = channelOf(field)
  if (typeof value !== 'string' || !channel) {
    return
  }
  const check = checkRecipient(channel, value)
  if (!check.valid) {
    field.report(`The recipient ${check.reason} for the ${channel} channel`, 'recipient', field)
  }
})

/** The content must give the channel something to deliver. */
export const contentForChannel = vine.createRule((value, _options, field) => {
  const channel = channelOf(field)
  if (!channel || !value || typeof value !== 'object') {
    return
  }
  const content: MessageContent = value
  if (content.templateId !== undefined) {
    // The template gives subject, html and text; they are checked once rendered
    const given = field.parent.subject ?? content.text ?? content.html
    if (given !== undefined) {
      field.report('A template replaces subject, content.text and content.html', 'template', field)
    }
    return
  }
  if (content.locale !== undefined) {
    field.report(
      'content.locale chooses a template: it needs content.templateId',
      'template',
      field
    )
    return
  }
  const problem = checkContent(channel, field.parent.subject, content)
  if (problem) {
    field.report(problem.message, 'content', field)
  }
})

/**
 * A fallback step ({channel, recipient}) carries the message's own content,
 * so that content must also suit the step's channel (a template is checked
 * once rendered, like the message's own).
 */
export const contentForFallback = vine.createRule((value, _options, field) => {
  const step = value as { channel?: unknown } | null
  const content: MessageContent | undefined = field.data?.content
  if (!step || !CHANNELS.includes(step.channel as Channel) || !content || content.templateId) {
    return
  }
  const problem = checkContent(step.channel as Channel, field.data.subject, content)
  if (problem) {
    field.report(`Fallback to ${step.channel}: ${problem.message}`, 'content', field)
  }
})
