import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { PushReports } from '#messaging/tracking/push_reports'
import { pushReportValidator } from '#validators/push_report'

@inject()
export default class PushReportsController {
  constructor(private reports: PushReports) {}

  /**
   * POST /api/webhooks/communication/firebase: the push client app reports a
   * notification delivered, opened or clicked, with the tenant's API key. The
   * signed variant, for apps without a key, is FCM's status webhook.
   */
  async store({ request, tenant }: HttpContext) {
    const report = await request.validateUsing(pushReportValidator)
    await this.reports.record({ tenantId: tenant.id, providerConfigId: null }, report)
    return { received: true }
  }
}
