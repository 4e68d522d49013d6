import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

const ALGORITHM = 'aes-256-gcm'
/** Before keys had ids: no key id, no additional authenticated data. Read, never written. */
const LEGACY = 'v1'
const VERSION = 'v2'

export class CredentialsKeyError extends Error {}

/**
 * The row a sealed value belongs to. It is authenticated with the value, so a
 * ciphertext copied into another row, another tenant or another column does
 * not open there. `tenantId` null is a system row.
 */
export interface SealedRow {
  /** The table and column, e.g. `provider_configs.encrypted_config` */
  column: string
  tenantId: string | null
  id: string
}

/** What a sealed value says about itself, before it is opened */
export interface SealedHeader {
  version: typeof LEGACY | typeof VERSION
  /** Null for a legacy value */
  keyId: string | null
}

interface Key {
  id: string
  bytes: Buffer
}

/** A fresh key for CREDENTIALS_KEY: 32 random bytes, base64 */
export function generateCredentialsKey() {
  return randomBytes(32).toString('base64')
}

/** CREDENTIALS_PREVIOUS_KEYS: comma-separated, blanks ignored */
export function parseKeyList(list: string | undefined) {
  return (list ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean)
}

/** The id stored with every value sealed under a key: the first 8 hex digits of its SHA-256 */
export function credentialsKeyId(base64Key: string) {
  return parseKey(base64Key, 'a key').id
}

/**
 * Credentials at rest: AES-256-GCM with a random 96-bit IV per value, stored
 * as `v2.<keyId>.<iv>.<tag>.<ciphertext>` (base64url) with the row it belongs
 * to as additional authenticated data. The auth tag makes a wrong key, a
 * tampered value or a value moved to another row fail loudly instead of
 * yielding garbage credentials.
 *
 * A key ring: the current key seals and opens, the previous keys only open,
 * so during a key rotation every process can read every value whichever key
 * sealed it. `v1.<iv>.<tag>.<ciphertext>` values (no key id, no row) from
 * before key ids are still read with any key of the ring.
 */
export class CredentialsCipher {
  #current: Key
  #keys: Map<string, Key>

  constructor(currentKey: string, previousKeys: string[] = []) {
    this.#current = parseKey(currentKey, 'CREDENTIALS_KEY')
    const previous = previousKeys.map((key) => parseKey(key, 'each of CREDENTIALS_PREVIOUS_KEYS'))
    this.#keys = new Map([this.#current, ...previous].map((key) => [key.id, key]))
  }

  /** The id of the key new values are sealed with */
  get currentKeyId() {
    return this.#current.id
  }

  /** The ids of the keys that only open */
  get previousKeyIds() {
    return [...this.#keys.keys()].filter((id) => id !== this.#current.id)
  }

  encrypt(value: Record<string, unknown>, row: SealedRow): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv(ALGORITHM, this.#current.bytes, iv)
    cipher.setAAD(additionalData(row))
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()])
    const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'))
    return [VERSION, this.#current.id, ...parts].join('.')
  }

  decrypt<T = Record<string, unknown>>(sealed: string, row: SealedRow): T {
    const { header, iv, tag, ciphertext } = parse(sealed)
    if (header.version === LEGACY) {
      for (const key of this.#keys.values()) {
        const opened = open(key, iv, tag, ciphertext)
        if (opened !== undefined) return opened as T
      }
      throw new CredentialsKeyError(
        'stored credentials cannot be decrypted: CREDENTIALS_KEY is not the key they were sealed with, ' +
          'nor is any of CREDENTIALS_PREVIOUS_KEYS'
      )
    }
    const key = this.#keys.get(header.keyId!)
    if (!key) {
      throw new CredentialsKeyError(
        `stored credentials were sealed with key ${header.keyId}, which is neither CREDENTIALS_KEY ` +
          'nor one of CREDENTIALS_PREVIOUS_KEYS'
      )
    }
    const opened = open(key, iv, tag, ciphertext, additionalData(row))
    if (opened === undefined) {
      throw new CredentialsKeyError(
        `stored credentials do not open with key ${key.id} (CREDENTIALS_KEY or a previous key) ` +
          'for this row: they were altered or belong to another row'
      )
    }
    return opened as T
  }

  /** The version and key id of a sealed value; throws when it is in no known format */
  header(sealed: string): SealedHeader {
    return parse(sealed).header
  }

  /** True when the value is sealed under the current key in the current format (false for garbage) */
  isCurrent(sealed: string) {
    return sealed.startsWith(`${VERSION}.${this.#current.id}.`)
  }
}

/** The last four characters of a secret, for display: "…a1b2". */
export function maskSecret(secret: string) {
  return secret.length <= 4 ? '…' : `…${secret.slice(-4)}`
}

function parseKey(base64Key: string, name: string): Key {
  const bytes = Buffer.from(base64Key.trim(), 'base64')
  if (bytes.length !== 32) {
    throw new CredentialsKeyError(`${name} must be 32 bytes, base64-encoded`)
  }
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 8), bytes }
}

function additionalData(row: SealedRow) {
  return Buffer.from(JSON.stringify([row.column, row.tenantId ?? 'system', row.id]), 'utf8')
}

function parse(sealed: string) {
  const parts = sealed.split('.')
  const [version] = parts
  if (version === LEGACY && parts.length === 4 && parts[1] && parts[2]) {
    const [, iv, tag, ciphertext] = parts
    return { header: { version, keyId: null } as SealedHeader, iv, tag, ciphertext }
  }
  if (version === VERSION && parts.length === 5 && parts[1] && parts[2] && parts[3]) {
    const [, keyId, iv, tag, ciphertext] = parts
    return { header: { version, keyId } as SealedHeader, iv, tag, ciphertext }
  }
  throw new CredentialsKeyError('stored credentials are not in a known format')
}

/** The parsed plaintext, or undefined when the key, the tag or the row does not match */
function open(key: Key, iv: string, tag: string, ciphertext: string, aad?: Buffer): unknown {
  try {
    const decipher = createDecipheriv(ALGORITHM, key.bytes, Buffer.from(iv, 'base64url'))
    if (aad) decipher.setAAD(aad)
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    const plaintext = Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ])
    return JSON.parse(plaintext.toString('utf8'))
  } catch {
    return undefined
  }
}
