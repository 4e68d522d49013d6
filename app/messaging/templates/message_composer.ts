import { inject } from '@adonisjs/core'
import type { Channel } from '#enums/channel'
import type { MessageContent } from '#models/message'
import type MessageTemplate from '#models/message_template'
import {
  MissingTemplateVariablesException,
  TemplateRenderException,
  TemplateValidationException,
} from '#exceptions/template_exceptions'
import { checkContent } from '#messaging/channels/content_rules'
import { TemplateService } from '#messaging/templates/template_service'
import { TemplateRenderer, type CompiledTemplate } from '#messaging/templates/template_renderer'

/** The longest subject a message may have, as for one sent without a template (RFC 5322). */
const SUBJECT_MAX_LENGTH = 998

/** What a send request says about its template. */
export interface TemplatedRequest {
  channel: Channel
  content: MessageContent
}

/** The subject and content a message is stored with. */
export interface ComposedMessage {
  subject: string | undefined
  content: MessageContent
}

/**
 * One request's template, loaded and parsed once and rendered per recipient.
 * The rendered text is what is stored: the message stays a record of what was
 * sent, whatever later versions of the template say.
 */
export class MessageComposition {
  constructor(
    private template: MessageTemplate,
    private compiled: CompiledTemplate,
    private request: TemplatedRequest
  ) {}

  /**
   * Throws MissingTemplateVariablesException or TemplateRenderException for
   * these variables (a bulk send rejects just that recipient), and
   * TemplateRenderBudgetException once the request has rendered for too long.
   */
  compose(variables: Record<string, unknown>): ComposedMessage {
    const rendered = this.render(variables)
    const subject = rendered.subject === null ? undefined : oneLine(rendered.subject)
    const content: MessageContent = {
      ...this.request.content,
      templateId: this.template.id,
      templateVersion: this.template.version,
      locale: this.template.locale,
      ...(rendered.html === null ? {} : { html: rendered.html }),
      ...(rendered.text === null ? {} : { text: rendered.text }),
    }
    const problem = checkContent(this.template.channel, subject, content)
    if (problem) {
      throw new TemplateRenderException(`The rendered template: ${problem.message}`, problem.field)
    }
    if (subject && subject.length > SUBJECT_MAX_LENGTH) {
      throw new TemplateRenderException(
        `The rendered subject is longer than ${SUBJECT_MAX_LENGTH} characters`,
        'subject'
      )
    }
    return { subject, content }
  }

  private render(variables: Record<string, unknown>) {
    try {
      return this.compiled.render(variables)
    } catch (error) {
      if (error instanceof MissingTemplateVariablesException) {
        throw new MissingTemplateVariablesException(error.variables, 'content.variables')
      }
      throw error
    }
  }
}

/**
 * Builds messages from the tenant's templates. `content.templateId` names a
 * template by the id of any of its versions; the message uses the newest
 * active version in `content.locale` (by default the named version's locale).
 */
@inject()
export class MessageComposer {
  constructor(
    private templates: TemplateService,
    private renderer: TemplateRenderer
  ) {}

  /** The request's template ready to render, or null when it names none. */
  async prepare(tenantId: string, request: TemplatedRequest) {
    const { templateId, locale } = request.content
    if (!templateId) {
      return null
    }
    const named = await this.templates.findOwned(tenantId, templateId)
    if (!named) {
      throw invalid('content.templateId', 'You have no template with this id')
    }
    if (named.channel !== request.channel) {
      throw invalid(
        'content.templateId',
        `The template is for the ${named.channel} channel, not ${request.channel}`
      )
    }
    const template = await this.templates.findLatestActive(tenantId, {
      name: named.name,
      channel: named.channel,
      locale: locale ?? named.locale,
    })
    if (!template) {
      throw invalid(
        locale ? 'content.locale' : 'content.templateId',
        `The template "${named.name}" has no active version for locale "${locale ?? named.locale}"`
      )
    }
    return new MessageComposition(
      template,
      this.renderer.compile(template, template.requiredVariables),
      request
    )
  }
}

function invalid(field: string, message: string) {
  return new TemplateValidationException([{ field, message, rule: 'template' }])
}

/** A header holds one line: line breaks from variables become spaces. */
function oneLine(subject: string) {
  return subject.replace(/\s*[\r\n]+\s*/g, ' ').trim()
}
