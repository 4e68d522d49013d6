import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import { OverviewSnapshots } from '#messaging/stats/overview_snapshot'
import { tenantIdOf } from '#console/console_scope'
import { sentChart } from '#controllers/console/sent_chart'

/**
 * The console's first page: the lanes, the last hour's sends, today's
 * failures and bounces and the gateways' health, for the tenant in scope (an
 * operator with no tenant picked: every tenant's). The figures are one
 * fragment that the page reloads every 5 s (htmx), from a snapshot shared by
 * every console open on the same scope.
 */
export default class OverviewController {
  /** GET /console */
  @inject()
  async show(ctx: HttpContext, snapshots: OverviewSnapshots) {
    return ctx.view.render('pages/overview/show', await this.#figures(ctx, snapshots))
  }

  /** GET /console/overview/live: the figures alone */
  @inject()
  async live(ctx: HttpContext, snapshots: OverviewSnapshots) {
    return ctx.view.render('pages/overview/live', await this.#figures(ctx, snapshots))
  }

  async #figures(ctx: HttpContext, snapshots: OverviewSnapshots) {
    const overview = await snapshots.of(tenantIdOf(ctx))
    return {
      overview,
      chart: sentChart(overview.sentPerMinute),
      apiUrl: app.config.get<string>('app.appUrl'),
    }
  }
}
