import { inject } from '@adonisjs/core'
import vine from '@vinejs/vine'
import db from '@adonisjs/lucid/services/db'
import type { Channel } from '#enums/channel'
import MessageTemplate from '#models/message_template'
import {
  TemplateExistsException,
  TemplateNotFoundException,
  TemplateValidationException,
} from '#exceptions/template_exceptions'
import { AuditLog, type AuditActor } from '#messaging/audit/audit_log'
import { TemplateRenderer, type TemplateParts } from '#messaging/templates/template_renderer'
import { templateContentProblems } from '#messaging/templates/template_content_rules'

const DEFAULT_LOCALE = 'en'
const DEFAULT_PAGE_SIZE = 50

export interface TemplateContent {
  subject?: string
  html?: string
  text?: string
  /** Variables to require beyond those the template reads, e.g. for a later version */
  requiredVariables?: string[]
}

export interface NewTemplate extends TemplateContent {
  name: string
  channel: Channel
  locale?: string
}

/** One template: all versions of one name, channel and locale. */
export interface TemplateIdentity {
  name: string
  channel: Channel
  locale: string
}

export interface TemplateFilters {
  channel?: Channel
  name?: string
  locale?: string
  page?: number
  perPage?: number
}

/**
 * A tenant's message templates. A version is never changed: an update adds
 * the next version, so the version a message names is the one it was built
 * from. Every query is scoped by tenant.
 */
@inject()
export class TemplateService {
  constructor(
    private renderer: TemplateRenderer,
    private audit: AuditLog
  ) {}

  /** Every version, filtered, newest first within a template. */
  async list(tenantId: string, filters: TemplateFilters) {
    return MessageTemplate.query()
      .where('tenant_id', tenantId)
      .if(filters.channel, (query) => query.where('channel', filters.channel!))
      .if(filters.name, (query) => query.where('name', filters.name!))
      .if(filters.locale, (query) => query.where('locale', filters.locale!))
      .orderBy([
        { column: 'name', order: 'asc' },
        { column: 'channel', order: 'asc' },
        { column: 'locale', order: 'asc' },
        { column: 'version', order: 'desc' },
      ])
      .paginate(filters.page ?? 1, filters.perPage ?? DEFAULT_PAGE_SIZE)
  }

  /** Version 1 of a new template; a name already taken for this channel and locale is a 409. */
  async create(tenantId: string, input: NewTemplate, actor: AuditActor) {
    const content = this.checked(input.channel, input)
    try {
      return await db.transaction(async (trx) => {
        const template = await MessageTemplate.create(
          {
            tenantId,
            name: input.name,
            channel: input.channel,
            locale: input.locale ?? DEFAULT_LOCALE,
            version: 1,
            ...content,
          },
          { client: trx }
        )
        await this.audit.record(
          { tenantId, actor, action: 'template.created', ...target(template), after: template },
          trx
        )
        return template
      })
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new TemplateExistsException()
      }
      throw error
    }
  }

  /** The next version of the template `id` belongs to (whichever of its versions `id` is). */
  async addVersion(tenantId: string, id: string, input: TemplateContent, actor: AuditActor) {
    const current = await this.find(tenantId, id)
    const content = this.checked(current.channel, input)
    const identity = { name: current.name, channel: current.channel, locale: current.locale }
    return db.transaction(async (trx) => {
      // Two concurrent updates of one template take turns, so each gets its own number
      await trx.rawQuery('SELECT pg_advisory_xact_lock(hashtext(?))', [
        JSON.stringify([tenantId, identity.name, identity.channel, identity.locale]),
      ])
      const latest = await MessageTemplate.query({ client: trx })
        .where('tenant_id', tenantId)
        .where(identity)
        .orderBy('version', 'desc')
        .firstOrFail()
      const template = await MessageTemplate.create(
        { tenantId, ...identity, version: latest.version + 1, ...content },
        { client: trx }
      )
      await this.audit.record(
        {
          tenantId,
          actor,
          action: 'template.version_added',
          ...target(template),
          before: latest,
          after: template,
        },
        trx
      )
      return template
    })
  }

  /** One version; another tenant's is not found. */
  async find(tenantId: string, id: string) {
    const template = await this.findOwned(tenantId, id)
    if (!template) {
      throw new TemplateNotFoundException()
    }
    return template
  }

  /** One version if the tenant owns it, else null. */
  async findOwned(tenantId: string, id: string) {
    if (!vine.helpers.isUUID(id)) {
      return null
    }
    return MessageTemplate.query().where('tenant_id', tenantId).where('id', id).first()
  }

  /** What a send should use: the newest active version of a template. */
  async findLatestActive(tenantId: string, identity: TemplateIdentity) {
    return MessageTemplate.query()
      .where('tenant_id', tenantId)
      .where(identity)
      .where('active', true)
      .orderBy('version', 'desc')
      .first()
  }

  /** Render one version with the given variables, as a send would. */
  async preview(tenantId: string, id: string, variables: Record<string, unknown>) {
    const template = await this.find(tenantId, id)
    return this.renderer.compile(template, template.requiredVariables).render(variables)
  }

  /**
   * The row's content once it is known to fit the channel and to parse, with
   * its required variables completed from what the template reads.
   */
  private checked(channel: Channel, input: TemplateContent) {
    const parts: TemplateParts = {
      subject: input.subject ?? null,
      html: input.html ?? null,
      text: input.text ?? null,
    }
    const problems = templateContentProblems(channel, parts)
    if (problems.length > 0) {
      throw new TemplateValidationException(problems)
    }
    const compiled = this.renderer.compile(parts, input.requiredVariables)
    return { ...parts, requiredVariables: compiled.requiredVariables, active: true }
  }
}

/** A version is the audit's target: each has its own id, as the API names them */
function target(template: MessageTemplate) {
  return { targetType: 'template', targetId: template.id }
}

function isUniqueViolation(error: unknown) {
  return (error as { code?: unknown }).code === '23505'
}
