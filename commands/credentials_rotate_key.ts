import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import type { RotationReport } from '#messaging/accounts/credentials_rotation'

export default class CredentialsRotateKey extends BaseCommand {
  static commandName = 'credentials:rotate-key'
  static description =
    'Re-encrypt every stored credential not yet under CREDENTIALS_KEY (previous keys, legacy v1 values) under it'
  static help = [
    'Zero-downtime rotation, each step a rolling restart of every process:',
    '  1. add the new key to CREDENTIALS_PREVIOUS_KEYS everywhere (every process can open both keys)',
    '  2. make the new key CREDENTIALS_KEY, with the old one in CREDENTIALS_PREVIOUS_KEYS',
    '  3. run node ace credentials:rotate-key (safe to run again; edits made meanwhile are kept)',
    '  4. remove the old key from CREDENTIALS_PREVIOUS_KEYS, as the command says',
    'A fresh key: node ace credentials:generate-key',
  ]
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Print the counts and key ids as JSON' })
  declare json: boolean

  @flags.number({ description: 'Rows read and written at a time', default: 500 })
  declare batchSize: number

  async run() {
    const { CredentialsCipher } = await import('#messaging/accounts/credentials_cipher')
    const { CredentialsRotation } = await import('#messaging/accounts/credentials_rotation')
    const { AuditLog } = await import('#messaging/audit/audit_log')
    const { operatorActor } = await import('#messaging/audit/audit_actors')
    const rotation = new CredentialsRotation(
      await this.app.container.make(CredentialsCipher),
      new AuditLog(),
      this.batchSize
    )
    const report = await rotation.run(operatorActor())
    const complete = report.unreadable.length === 0 && report.leftChanging === 0
    if (!complete) this.exitCode = 1

    if (this.json) {
      this.logger.log(JSON.stringify(report))
      return
    }
    this.#print(report)
  }

  #print(report: RotationReport) {
    const from = Object.entries(report.fromKeys).map(([key, count]) => `${count} from ${key}`)
    this.logger.info(
      `${report.rotated} values re-encrypted under key ${report.currentKeyId}` +
        (from.length > 0 ? ` (${from.join(', ')})` : '') +
        `, ${report.alreadyCurrent} already under it, ${report.changedMeanwhile} changed meanwhile and read again`
    )
    for (const { column, id } of report.unreadable) {
      this.logger.error(
        `${column} ${id}: no key of CREDENTIALS_KEY and CREDENTIALS_PREVIOUS_KEYS opens its credentials`
      )
    }
    if (report.unreadable.length > 0) {
      this.logger.error(
        `${report.unreadable.length} values open with no key of the ring: add the key they were sealed with ` +
          'to CREDENTIALS_PREVIOUS_KEYS and run this again. Keep every previous key until then.'
      )
    } else if (report.leftChanging > 0) {
      this.logger.error(
        `${report.leftChanging} values kept changing while being read: run this again`
      )
    } else if (report.removableKeyIds.length > 0) {
      this.logger.success(
        `Next: remove ${report.removableKeyIds.join(', ')} from CREDENTIALS_PREVIOUS_KEYS ` +
          'everywhere; no stored value needs it any more'
      )
    } else {
      this.logger.success('Every stored credential is under CREDENTIALS_KEY')
    }
  }
}
