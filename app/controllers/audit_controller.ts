import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AuditEntries } from '#messaging/audit/audit_entries'
import { listAuditEntriesValidator } from '#validators/audit'

@inject()
export default class AuditController {
  constructor(private entries: AuditEntries) {}

  /** GET /api/v1/audit: the tenant's own entries, newest first, filtered; `next` is the next page's `before` */
  async index({ request, tenant }: HttpContext) {
    const filters = await request.validateUsing(listAuditEntriesValidator, { data: request.qs() })
    return this.entries.list({ tenantId: tenant.id }, filters)
  }
}
