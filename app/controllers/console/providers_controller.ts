import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { providerConfigValidator } from '#messaging/accounts/provider_config_schema'
import { userActor } from '#messaging/audit/audit_actors'
import { ProviderConfigService } from '#messaging/provider_configs/provider_config_service'
import { ProviderHealth } from '#messaging/provider_configs/provider_health'
import { ProviderPriorities } from '#messaging/provider_configs/provider_priorities'
import { VENDORS, findVendor, vendorOf } from '#messaging/vendors/index'
import type { Vendor } from '#messaging/vendors/contract/vendor'
import { tenantIdOf } from '#console/console_scope'
import {
  configChangesFromForm,
  formFieldsOf,
  formMessagesOf,
  newConfigFromForm,
} from '#controllers/console/provider_form'
import { providerGroups } from '#controllers/console/provider_list'
import { ConsoleForbiddenException } from '#exceptions/console_exceptions'
import {
  newProviderFormValidator,
  providerEnabledValidator,
  providerFormValidator,
  providerMoveValidator,
} from '#validators/provider_form'

/**
 * The console's Providers pages: the tenant's own providers, or with no
 * tenant picked the operator's system providers, read and changed through
 * the same service as the provider API. Secrets are shown only as masks. A
 * change to one provider finds it first, so another tenant's is a 404
 * whatever the form holds.
 */
@inject()
export default class ProvidersController {
  constructor(
    private providers: ProviderConfigService,
    private priorities: ProviderPriorities,
    private health: ProviderHealth
  ) {}

  /** GET /console/providers: by channel, in the order tried, with each gateway's health */
  async index(ctx: HttpContext) {
    const owner = tenantIdOf(ctx)
    const providers = await this.providers.list(owner)
    return ctx.view.render('pages/providers/index', {
      groups: providerGroups(providers, await this.health.of(providers)),
      system: owner === null,
      canChange: canChange(ctx),
    })
  }

  /** GET /console/providers/new: the provider types, then (`?type=`) that type's form */
  async create(ctx: HttpContext) {
    assertCanChange(ctx)
    const system = tenantIdOf(ctx) === null
    const vendor = findVendor(String(ctx.request.qs().type ?? ''))
    if (!vendor) {
      return ctx.view.render('pages/providers/choose_type', { vendors: VENDORS, system })
    }
    return ctx.view.render('pages/providers/form', formPage(vendor, system))
  }

  /** POST /console/providers */
  async store(ctx: HttpContext) {
    const form = await ctx.request.validateUsing(newProviderFormValidator)
    const vendor = vendorOf(form.type)
    const request = await providerConfigValidator.validate(
      {
        type: form.type,
        channel: form.channel,
        name: form.name,
        config: newConfigFromForm(vendor, form),
      },
      { messagesProvider: formMessagesOf(vendor) }
    )
    const provider = await this.providers.create(
      tenantIdOf(ctx),
      request,
      userActor(ctx.consoleUser)
    )
    return done(ctx, `${provider.name} added. Test its connection to check the settings.`)
  }

  /** GET /console/providers/:id/edit: its secrets are never filled in */
  async edit(ctx: HttpContext) {
    assertCanChange(ctx)
    const owner = tenantIdOf(ctx)
    const provider = await this.providers.find(owner, ctx.params.id)
    const vendor = vendorOf(provider.type)
    return ctx.view.render('pages/providers/form', {
      ...formPage(vendor, owner === null, provider.config),
      provider,
    })
  }

  /** PUT /console/providers/:id: an empty secret keeps the stored one */
  async update(ctx: HttpContext) {
    const owner = tenantIdOf(ctx)
    const { id, type } = await this.providers.find(owner, ctx.params.id)
    const form = await ctx.request.validateUsing(providerFormValidator)
    const vendor = vendorOf(type)
    const provider = await this.providers.update(
      owner,
      id,
      { channel: form.channel, name: form.name, config: configChangesFromForm(vendor, form) },
      userActor(ctx.consoleUser),
      formMessagesOf(vendor)
    )
    return done(ctx, `${provider.name} saved.`)
  }

  /** POST /console/providers/:id/enabled: `enabled` says which way */
  async toggle(ctx: HttpContext) {
    const owner = tenantIdOf(ctx)
    const { id } = await this.providers.find(owner, ctx.params.id)
    const { enabled } = await ctx.request.validateUsing(providerEnabledValidator)
    const provider = await this.providers.update(owner, id, { enabled }, userActor(ctx.consoleUser))
    return done(ctx, `${provider.name} ${enabled ? 'enabled' : 'disabled'}.`)
  }

  /** POST /console/providers/:id/move: one place up (tried earlier) or down in its channel */
  async move(ctx: HttpContext) {
    const owner = tenantIdOf(ctx)
    const { id } = await this.providers.find(owner, ctx.params.id)
    const { direction } = await ctx.request.validateUsing(providerMoveValidator)
    await this.priorities.move(owner, id, direction, userActor(ctx.consoleUser))
    return ctx.response.redirect().toRoute('console.providers.index')
  }

  /**
   * POST /console/providers/:id/test: the API's connection test. htmx gets the
   * outcome for the provider's row; without JS it comes back as a notice.
   */
  async test(ctx: HttpContext) {
    const owner = tenantIdOf(ctx)
    const provider = await this.providers.find(owner, ctx.params.id)
    const check = await this.providers.test(owner, provider.id)
    if (ctx.request.header('hx-request')) {
      return ctx.view.render('pages/providers/test_result', { check })
    }
    ctx.session.flash('notice', {
      kind: check.ok ? 'success' : 'error',
      text: `${provider.name}: ${check.ok ? 'Connection OK' : 'Connection failed'}: ${check.detail}`,
    })
    return ctx.response.redirect().toRoute('console.providers.index')
  }

  /** DELETE /console/providers/:id */
  async destroy(ctx: HttpContext) {
    const owner = tenantIdOf(ctx)
    const provider = await this.providers.find(owner, ctx.params.id)
    await this.providers.delete(owner, provider.id, userActor(ctx.consoleUser))
    return done(ctx, `${provider.name} deleted.`)
  }
}

/** Admins change their tenant's providers, operators any (the routes' role check says the same) */
function canChange(ctx: HttpContext) {
  return ctx.consoleUser.role === 'operator' || ctx.consoleUser.role === 'admin'
}

/** The forms lead only to changes: someone who may not make them is not shown them */
function assertCanChange(ctx: HttpContext) {
  if (!canChange(ctx)) throw new ConsoleForbiddenException()
}

function formPage(vendor: Vendor, system: boolean, stored?: Record<string, unknown>) {
  return {
    vendor,
    system,
    channels: vendor.channels,
    fields: formFieldsOf(vendor, stored),
    provider: null,
  }
}

function done(ctx: HttpContext, text: string) {
  ctx.session.flash('notice', { kind: 'success', text })
  return ctx.response.redirect().toRoute('console.providers.index')
}
