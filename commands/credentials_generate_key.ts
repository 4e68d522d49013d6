import { BaseCommand } from '@adonisjs/core/ace'
import { credentialsKeyId, generateCredentialsKey } from '#messaging/accounts/credentials_cipher'

export default class CredentialsGenerateKey extends BaseCommand {
  static commandName = 'credentials:generate-key'
  static description =
    'Print a fresh key for CREDENTIALS_KEY (32 random bytes, base64) and its key id'
  static help = [
    'The key alone is printed on stdout, its id on stderr, so `KEY=$(node ace credentials:generate-key)` works.',
    'To move the stored credentials to it without downtime, see node ace credentials:rotate-key --help.',
  ]

  async run() {
    const key = generateCredentialsKey()
    process.stdout.write(`${key}\n`)
    process.stderr.write(`key id ${credentialsKeyId(key)}\n`)
  }
}
