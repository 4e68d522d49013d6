import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { API_KEY_SCOPES } from '#messaging/tenants/api_key_scopes'
import { IssueApiKey } from '#messaging/tenants/issue_api_key'
import { issueApiKeyValidator } from '#validators/api_key'
import { findTenant, validated } from '#commands/_input'
import { operator } from '#commands/_api_key_changes'

export default class TenantsIssueKey extends BaseCommand {
  static commandName = 'tenants:issue-key'
  static description = 'Issue another API key for a tenant, with the scopes and kind given'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Tenant id' })
  declare tenantId: string

  @flags.string({ description: 'A name to recognise the key by', default: 'default' })
  declare name: string

  @flags.string({
    description: `Comma-separated scopes among ${API_KEY_SCOPES.join(', ')}`,
    default: API_KEY_SCOPES.join(','),
  })
  declare scopes: string

  @flags.string({ description: 'live (sends for real) or test (never calls a vendor)' })
  declare kind?: string

  @flags.number({ description: 'Days until the key expires (never, when not given)' })
  declare expiresInDays?: number

  @flags.boolean({ description: 'Print the key (with "tenantId", "keyId", "apiKey") as JSON' })
  declare json: boolean

  async run() {
    const tenant = await findTenant(this, this.tenantId)
    if (!tenant) return
    const request = await validated(this, issueApiKeyValidator, {
      name: this.name,
      scopes: this.scopes.split(',').map((scope) => scope.trim()),
      kind: this.kind,
      expiresInDays: this.expiresInDays,
    })
    if (!request) return

    const issue = await this.app.container.make(IssueApiKey)
    const key = await issue.handle(tenant, request, operator())
    if (this.json) {
      this.logger.log(JSON.stringify({ tenantId: tenant.id, keyId: key.id, ...key }))
      return
    }
    this.logger.success(
      `Key ${key.id} (${key.kind}: ${key.scopes.join(', ')}) issued for "${tenant.name}"`
    )
    this.logger.log(`api key: ${key.apiKey}`)
    this.logger.log(this.colors.dim('The key is shown once; only its hash is stored.'))
  }
}
