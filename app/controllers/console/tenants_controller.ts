import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import type { MessagingConfig } from '#config/messaging'
import { userActor } from '#messaging/audit/audit_actors'
import { CreateTenant } from '#messaging/tenants/create_tenant'
import { TenantDirectory } from '#messaging/tenants/tenant_directory'
import { TenantSuspension } from '#messaging/tenants/tenant_suspension'
import { tenantSettingsView } from '#messaging/tenants/tenant_settings_view'
import { InviteUser } from '#people/invite_user'
import { ListUsers } from '#people/list_users'
import { newTenantValidator, suspendTenantValidator } from '#validators/tenants'
import { ConsoleNotFoundException } from '#exceptions/console_exceptions'
import { tenantPage, tenantRow } from '#controllers/console/tenant_pages_view'

/** What the page after a tenant's creation shows once: its admin's invite link */
const CREATED_INVITE = 'tenantInvite'

/** Operators' pages for the tenants: list, create (with the first admin's invite), suspend, resume */
export default class TenantsController {
  /** GET /console/tenants */
  @inject()
  async index({ view }: HttpContext, directory: TenantDirectory) {
    const tenants = await directory.list()
    return view.render('pages/tenants/index', { tenants: tenants.map(tenantRow) })
  }

  /**
   * POST /console/tenants: the tenant, and an invite for its first admin
   * whose link the next page shows once.
   */
  @inject()
  async store(ctx: HttpContext, createTenant: CreateTenant, inviteUser: InviteUser) {
    const { name, email } = await ctx.request.validateUsing(newTenantValidator)
    const actor = userActor(ctx.consoleUser)
    const tenant = await createTenant.handle(name, actor)
    const { url } = await inviteUser.handle({ tenantId: tenant.id, email, role: 'admin' }, actor)
    ctx.session.flash(CREATED_INVITE, { email, url })
    ctx.session.flash('notice', { kind: 'success', text: `Tenant ${tenant.name} created.` })
    return ctx.response.redirect().toRoute('console.tenants.show', { id: tenant.id })
  }

  /** GET /console/tenants/:id */
  @inject()
  async show(
    { params, view, session }: HttpContext,
    directory: TenantDirectory,
    listUsers: ListUsers
  ) {
    const listing = await directory.find(params.id)
    if (!listing) throw new ConsoleNotFoundException()
    const people = await listUsers.handle({ tenantId: listing.tenant.id })
    const defaults = app.config.get<MessagingConfig>('messaging').tenantDefaults
    return view.render('pages/tenants/show', {
      ...tenantPage(listing, people),
      settings: tenantSettingsView(listing.tenant, defaults),
      createdInvite: session.flashMessages.get(CREATED_INVITE) ?? null,
    })
  }

  /** POST /console/tenants/:id/suspend */
  @inject()
  async suspend(
    { params, request, response, session, consoleUser }: HttpContext,
    suspension: TenantSuspension
  ) {
    const { reason } = await request.validateUsing(suspendTenantValidator)
    const tenant = await suspension.suspend(params.id, reason || null, userActor(consoleUser))
    if (!tenant) throw new ConsoleNotFoundException()
    session.flash('notice', {
      kind: 'success',
      text: `${tenant.name} is suspended: its sends are refused and its queued messages wait.`,
    })
    return response.redirect().toRoute('console.tenants.show', { id: tenant.id })
  }

  /** POST /console/tenants/:id/resume */
  @inject()
  async resume(
    { params, response, session, consoleUser }: HttpContext,
    suspension: TenantSuspension
  ) {
    const tenant = await suspension.resume(params.id, userActor(consoleUser))
    if (!tenant) throw new ConsoleNotFoundException()
    session.flash('notice', {
      kind: 'success',
      text: `${tenant.name} is active again; its waiting messages are on their way.`,
    })
    return response.redirect().toRoute('console.tenants.show', { id: tenant.id })
  }
}
