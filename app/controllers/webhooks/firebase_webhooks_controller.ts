import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { PushReports } from '#messaging/tracking/push_reports'
import { pushReportValidator } from '#validators/push_report'

@inject()
export default class FirebaseWebhooksController {
  constructor(private reports: PushReports) {}

  /**
   * POST /api/webhooks/communication/firebase: the push client app reports a
   * notification delivered, opened or clicked, with the tenant's API key.
   */
  async store({ request, auth }: HttpContext) {
    const report = await request.validateUsing(pushReportValidator)
    await this.reports.record(auth.user!.id, report)
    return { received: true }
  }
}
