import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { TEST_EVENT_TYPE } from '#enums/tenant_webhook_event_type'

/**
 * The events an endpoint missed: those whose latest attempt to it failed
 * (retries given up, or not sent while the endpoint was disabled), as
 * webhook_deliveries records them.
 */
export class FailedDeliveries {
  /**
   * Puts them back in webhook_outbox, in one statement, for the webhooks
   * worker to send again with their original ids. An event already waiting
   * there is not added twice: the unique index decides, so a concurrent
   * replay waits for this one and then adds nothing. Returns how many were
   * put back. `client`: the transaction that audits the replay.
   */
  async replay(
    endpointId: string,
    since: Date | null,
    client: QueryClientContract = db.connection()
  ): Promise<number> {
    const result = await client.rawQuery(
      `INSERT INTO webhook_outbox (endpoint_id, delivery_event_id, event_type)
       SELECT latest.endpoint_id, latest.event_id::bigint, latest.event_type
         FROM (
           SELECT DISTINCT ON (event_id) endpoint_id, event_id, event_type, error, created_at
             FROM webhook_deliveries
            WHERE endpoint_id = ? AND event_type <> ?
            ORDER BY event_id, id DESC
         ) latest
        WHERE latest.error IS NOT NULL
          AND latest.created_at >= ?::timestamptz
        ORDER BY latest.event_id::bigint
       ON CONFLICT (endpoint_id, delivery_event_id) DO NOTHING`,
      // No `since`: every missed event, however old
      [endpointId, TEST_EVENT_TYPE, since ?? '-infinity']
    )
    return result.rowCount ?? 0
  }
}
