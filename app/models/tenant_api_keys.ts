import { base64 } from '@adonisjs/core/helpers'
import { DbAccessTokensProvider } from '@adonisjs/auth/access_tokens'
import type { AccessToken } from '@adonisjs/auth/access_tokens'
import type {
  AccessTokenDbColumns,
  DbAccessTokensProviderOptions,
} from '@adonisjs/auth/types/access_tokens'
import type { LucidModel } from '@adonisjs/lucid/types/model'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { ApiKeyKind } from '#messaging/tenants/api_key_scopes'

const kinds = new WeakMap<AccessToken, ApiKeyKind>()

/**
 * @adonisjs/auth's access tokens, with the key's kind read from the same row
 * the guard already loads, so knowing it costs no extra query. `using(trx)`
 * runs the same operations inside a transaction, so a key and the audit entry
 * about it are written together.
 */
export class TenantApiKeysProvider<Model extends LucidModel> extends DbAccessTokensProvider<Model> {
  #client?: QueryClientContract

  constructor(options: DbAccessTokensProviderOptions<Model>, client?: QueryClientContract) {
    super(options)
    this.#client = client
  }

  /** The same keys, read and written through `client` (a transaction) */
  using(client: QueryClientContract) {
    return new TenantApiKeysProvider(this.options, client)
  }

  protected async getDb() {
    return this.#client ?? super.getDb()
  }

  /** A key of `user` with its row locked until the transaction (see `using`) ends */
  async findForUpdate(user: InstanceType<Model>, identifier: string) {
    const client = await this.getDb()
    const row = await client
      .from(this.table)
      .where({ id: identifier, tokenable_id: user.$primaryKeyValue, type: this.type })
      .forUpdate()
      .first()
    return row ? this.dbRowToAccessToken(row) : null
  }

  /** How a person recognises a key: the start of its value, never any of its secret */
  masked(token: AccessToken) {
    return `${this.prefix}${base64.urlEncode(String(token.identifier))}.…`
  }

  protected dbRowToAccessToken(dbRow: AccessTokenDbColumns) {
    const token = super.dbRowToAccessToken(dbRow)
    kinds.set(token, ((dbRow as { kind?: ApiKeyKind }).kind ?? 'live') as ApiKeyKind)
    return token
  }

  /**
   * A new key. The parent's insert has no `kind` (the column's default is
   * `live`; writing it there would mean copying the parent's token making),
   * so a test key's kind is set right after, in the same transaction: no one
   * ever sees it as a live key, even if the second statement fails.
   */
  async create(
    user: InstanceType<Model>,
    abilities?: string[],
    options: { name?: string; expiresIn?: string | number; kind?: ApiKeyKind } = {}
  ): Promise<AccessToken> {
    const kind = options.kind ?? 'live'
    const client = await this.getDb()
    if (kind !== 'live' && !client.isTransaction) {
      return client.transaction((trx) => this.using(trx).create(user, abilities, options))
    }
    const token = await super.create(user, abilities, options)
    if (kind !== 'live') {
      await client.from(this.table).where('id', String(token.identifier)).update({ kind })
    }
    kinds.set(token, kind)
    return token
  }
}

/** The kind of a key the provider loaded; a key made before kinds existed is `live`. */
export function kindOf(token: AccessToken): ApiKeyKind {
  return kinds.get(token) ?? 'live'
}
