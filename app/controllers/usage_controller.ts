import type { HttpContext } from '@adonisjs/core/http'
import { usageReport } from '#messaging/quotas/usage_report'

export default class UsageController {
  /** GET /api/v1/usage: today's and this month's message counts per channel, next to the quotas */
  async show({ tenant }: HttpContext) {
    return usageReport(tenant)
  }
}
