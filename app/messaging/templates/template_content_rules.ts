import { Channel } from '#enums/channel'
import type { TemplateProblem } from '#exceptions/template_exceptions'
import type { TemplateParts } from '#messaging/templates/template_renderer'

/**
 * What a template must hold to give its channel something to send, checked
 * when it is saved. The rendered result is checked again at send time, with
 * the same rules as a message sent without a template.
 */
export function templateContentProblems(channel: Channel, parts: TemplateParts): TemplateProblem[] {
  if (channel === Channel.Email) {
    const problems: TemplateProblem[] = []
    if (!parts.subject) {
      problems.push({
        field: 'subject',
        message: 'An email template needs a subject',
        rule: 'required',
      })
    }
    if (!parts.html && !parts.text) {
      problems.push({
        field: 'text',
        message: 'An email template needs html or text',
        rule: 'required',
      })
    }
    return problems
  }
  if (parts.html !== null) {
    return [{ field: 'html', message: `Only email sends html, not ${channel}`, rule: 'channel' }]
  }
  return parts.text
    ? []
    : [{ field: 'text', message: `A ${channel} template needs text`, rule: 'required' }]
}
