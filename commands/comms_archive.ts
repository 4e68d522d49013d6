import { resolve } from 'node:path'
import { flags } from '@adonisjs/core/ace'
import { ExclusiveCommand } from '#scheduling/exclusive_command'
import type { MessagingConfig } from '#config/messaging'

export default class CommsArchive extends ExclusiveCommand {
  static commandName = 'comms:archive'
  static description =
    'Move old messages in a final status, with their events, to gzip JSON Lines files and out of PostgreSQL'

  static help = [
    'Writes ARCHIVE_DIR/<day>/messages-<id>.jsonl.gz (one line per message: {"message", "events"})',
    'and deletes exactly what it wrote, batch by batch. Safe to stop at any point and run again.',
  ]

  @flags.number({
    description:
      'Archive messages created more than this many days ago (default: ARCHIVE_AFTER_DAYS)',
  })
  declare olderThanDays?: number

  @flags.number({ description: 'Messages per batch (one transaction)', default: 1000 })
  declare batchSize: number

  protected async runExclusive() {
    const { ArchiveDirectory } = await import('#messaging/archive/archive_directory')
    const { MessageArchiver } = await import('#messaging/archive/message_archiver')
    const config = this.app.config.get<MessagingConfig>('messaging').archive
    const days = this.olderThanDays ?? config.afterDays
    if (!isPositiveInteger(days) || !isPositiveInteger(this.batchSize)) {
      this.logger.error('--older-than-days and --batch-size must be whole numbers of at least 1')
      this.exitCode = 1
      return
    }

    const root = resolve(this.app.makePath(), config.dir)
    const archiver = new MessageArchiver(new ArchiveDirectory(root))
    const cutoff = await archiver.cutoff(days)
    const due = await archiver.due(cutoff)
    const what = `messages created before ${cutoff.toISOString()}`
    if (this.dryRun) {
      this.logger.info(
        `${due.messages} ${what} and ${due.events} events would be archived to ${root}`
      )
      return
    }

    const recovered = await archiver.recover()
    if (recovered.finalized + recovered.discarded > 0) {
      this.logger.info(
        `interrupted run settled: ${recovered.finalized} files completed, ${recovered.discarded} discarded`
      )
    }
    let archived = 0
    const total = await archiver.archive(cutoff, {
      batchSize: this.batchSize,
      signal: this.lockLost,
      onBatch: (batch) => {
        archived += batch.messages
        this.logger.info(
          `${archived}/${due.messages} messages archived (+${batch.events} events, ${batch.files.length} files)`
        )
      },
    })
    this.logger.success(
      `${total.messages} ${what} and ${total.events} events archived to ${root} in ${total.files.length} files`
    )
  }
}

function isPositiveInteger(value: number) {
  return Number.isInteger(value) && value >= 1
}
