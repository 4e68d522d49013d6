import db from '@adonisjs/lucid/services/db'

export interface ReconcileOptions {
  /** How far back to look at hard bounces and complaints */
  sinceHours: number
  softBounceThreshold: number
  softBounceWindowDays: number
  dryRun: boolean
}

/**
 * The bulk path of the suppression feed: every hard bounce and complaint in
 * the window, and every recipient with enough soft bounces, ends up on the
 * suppression list, in two set-based statements. The webhook path already
 * does this one event at a time; this catches what arrived in bulk or what a
 * crash between event and suppression left behind. Running it twice changes
 * nothing the second time.
 */
export class SuppressionReconciler {
  async run(options: ReconcileOptions): Promise<number> {
    const candidates = `
      WITH candidates AS (
        SELECT m.tenant_id, m.channel, m.recipient,
               CASE e.type WHEN 'complained' THEN 'complaint' ELSE 'hard_bounce' END AS reason,
               e.source, e.message_id
          FROM delivery_events e JOIN messages m ON m.id = e.message_id
         WHERE e.type IN ('bounced', 'complained')
           AND e.created_at > now() - make_interval(hours => ?)
        UNION ALL
        SELECT m.tenant_id, m.channel, m.recipient, 'soft_bounce', 'soft bounces', NULL
          FROM delivery_events e JOIN messages m ON m.id = e.message_id
         WHERE e.type = 'soft_bounced' AND e.occurred_at > now() - make_interval(days => ?)
         GROUP BY m.tenant_id, m.channel, m.recipient
        HAVING count(*) >= ?
      )`
    const bindings = [options.sinceHours, options.softBounceWindowDays, options.softBounceThreshold]

    if (options.dryRun) {
      const result = await db.rawQuery(
        `${candidates}
         SELECT count(DISTINCT (c.tenant_id, c.channel, c.recipient)) AS missing FROM candidates c
          WHERE NOT EXISTS (SELECT 1 FROM suppressions s
                             WHERE s.tenant_id IS NOT DISTINCT FROM c.tenant_id
                               AND s.channel = c.channel AND s.recipient = c.recipient)`,
        bindings
      )
      return Number(result.rows[0].missing)
    }

    const result = await db.rawQuery(
      `${candidates}
       INSERT INTO suppressions (tenant_id, channel, recipient, reason, source, details)
       SELECT tenant_id, channel, recipient, reason, source,
              jsonb_build_object('messageId', message_id, 'by', 'comms:process-suppressions')
         FROM candidates
       ON CONFLICT ON CONSTRAINT suppressions_scope_uq DO NOTHING
       RETURNING id`,
      bindings
    )
    return result.rows.length
  }
}
