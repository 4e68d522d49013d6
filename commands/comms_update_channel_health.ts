import { ExclusiveCommand } from '#scheduling/exclusive_command'

export default class CommsUpdateChannelHealth extends ExclusiveCommand {
  static commandName = 'comms:update-channel-health'
  static description =
    "Persist each gateway's health score and circuit state from Redis into channel_health"

  protected async runExclusive() {
    const { ChannelHealthSync } = await import('#messaging/routing/channel_health_sync')
    const { GatewayHealth } = await import('#messaging/routing/gateway_health')
    const sync = new ChannelHealthSync(await this.app.container.make(GatewayHealth))
    const rows = this.dryRun ? await sync.read() : await sync.persist()

    const table = this.ui.table()
    table.head(['Gateway', 'Channel', 'Score', 'Circuit', 'OK', 'Failed', 'Avg ms'])
    for (const { gatewayKey, channel, snapshot } of rows) {
      table.row([
        gatewayKey,
        channel,
        String(snapshot.score),
        snapshot.state,
        String(snapshot.successes),
        String(snapshot.failures),
        String(snapshot.avgLatencyMs ?? '-'),
      ])
    }
    if (rows.length > 0) table.render()
    this.logger.info(
      `${rows.length} gateways ${this.dryRun ? 'would be' : 'were'} written to channel_health`
    )
  }
}
