import { createHash, randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import {
  CredentialsCipher,
  CredentialsKeyError,
  credentialsKeyId,
  generateCredentialsKey,
  maskSecret,
  parseKeyList,
  type SealedRow,
} from '#messaging/accounts/credentials_cipher'
import { legacySeal } from '#tests/helpers/credentials'

const newKey = generateCredentialsKey
const credentials = { apiKey: 'postal-api-key-a1b2', baseUrl: 'https://postal.example.com' }
const row: SealedRow = {
  column: 'provider_configs.encrypted_config',
  tenantId: '6f1c1f8e-9d0b-4a7e-8f0e-3c1d2b4a5e6f',
  id: '0b9e7c44-2f4c-4d51-9a57-7c0f3c8f7a10',
}

/** Flips one bit of one part of a sealed `v2.<keyId>.<iv>.<tag>.<ciphertext>` value */
function tamper(sealed: string, part: 2 | 3 | 4) {
  const parts = sealed.split('.')
  const bytes = Buffer.from(parts[part], 'base64url')
  bytes[0] ^= 1
  parts[part] = bytes.toString('base64url')
  return parts.join('.')
}

test.group('Credentials cipher', () => {
  test('decrypts what it encrypted, and the sealed value does not contain it', ({ assert }) => {
    const cipher = new CredentialsCipher(newKey())
    const sealed = cipher.encrypt(credentials, row)

    assert.notInclude(sealed, credentials.apiKey)
    assert.notInclude(sealed, Buffer.from(credentials.apiKey).toString('base64url'))
    assert.match(sealed, /^v2\.[0-9a-f]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/)
    assert.deepEqual(cipher.decrypt(sealed, row), credentials)
  })

  test('a fresh IV each time: the same credentials seal differently', ({ assert }) => {
    const cipher = new CredentialsCipher(newKey())
    assert.notEqual(cipher.encrypt(credentials, row), cipher.encrypt(credentials, row))
  })

  test('a tampered {name} fails instead of yielding garbage')
    .with([
      { name: 'IV', part: 2 as const },
      { name: 'auth tag', part: 3 as const },
      { name: 'ciphertext', part: 4 as const },
    ])
    .run(({ assert }, { part }) => {
      const cipher = new CredentialsCipher(newKey())
      const sealed = tamper(cipher.encrypt(credentials, row), part)
      assert.throws(() => cipher.decrypt(sealed, row), /CREDENTIALS_KEY/)
    })

  test('another key cannot decrypt, and says which variable is wrong', ({ assert }) => {
    const sealed = new CredentialsCipher(newKey()).encrypt(credentials, row)
    const other = new CredentialsCipher(newKey())
    try {
      other.decrypt(sealed, row)
      assert.fail('decrypted with the wrong key')
    } catch (error) {
      assert.instanceOf(error, CredentialsKeyError)
      assert.include((error as Error).message, 'CREDENTIALS_KEY')
    }
  })

  test('a value in no known format is refused', ({ assert }) => {
    const cipher = new CredentialsCipher(newKey())
    assert.throws(() => cipher.decrypt('{"apiKey":"plain"}', row), CredentialsKeyError)
    assert.throws(() => cipher.decrypt('v0.a.b.c', row), CredentialsKeyError)
    assert.throws(() => cipher.decrypt('v2.a.b.c', row), CredentialsKeyError)
  })

  test('a key that is not 32 bytes is refused at construction', ({ assert }) => {
    assert.throws(
      () => new CredentialsCipher(randomBytes(16).toString('base64')),
      /CREDENTIALS_KEY must be 32 bytes/
    )
    assert.throws(
      () => new CredentialsCipher(newKey(), [randomBytes(16).toString('base64')]),
      /CREDENTIALS_PREVIOUS_KEYS must be 32 bytes/
    )
  })

  test('maskSecret shows the last four characters at most', ({ assert }) => {
    assert.equal(maskSecret('postal-api-key-a1b2'), '…a1b2')
    assert.equal(maskSecret('abcd'), '…')
  })
})

test.group('Credentials cipher: bound to its row', () => {
  test('a value moved to another {name} does not open')
    .with([
      { name: 'row', moved: { ...row, id: 'c2d0b1f4-7e55-4b8e-9d7a-1f2e3d4c5b6a' } },
      { name: 'tenant', moved: { ...row, tenantId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' } },
      { name: 'system row', moved: { ...row, tenantId: null } },
      { name: 'column', moved: { ...row, column: 'webhook_endpoints.encrypted_secret' } },
    ])
    .run(({ assert }, { moved }) => {
      const cipher = new CredentialsCipher(newKey())
      const sealed = cipher.encrypt(credentials, row)
      assert.throws(() => cipher.decrypt(sealed, moved), /belong to another row/)
    })
})

test.group('Credentials cipher: the key ring', () => {
  test('the key id is the first 8 hex digits of the key’s SHA-256, stored in each value', ({
    assert,
  }) => {
    const key = newKey()
    const expected = createHash('sha256')
      .update(Buffer.from(key, 'base64'))
      .digest('hex')
      .slice(0, 8)
    const cipher = new CredentialsCipher(key)

    assert.equal(credentialsKeyId(key), expected)
    assert.equal(cipher.currentKeyId, expected)
    assert.deepEqual(cipher.header(cipher.encrypt(credentials, row)), {
      version: 'v2',
      keyId: expected,
    })
  })

  test('a previous key opens; the current key seals', ({ assert }) => {
    const oldKey = newKey()
    const newer = newKey()
    const sealedUnderOld = new CredentialsCipher(oldKey).encrypt(credentials, row)
    const ring = new CredentialsCipher(newer, [oldKey])

    assert.deepEqual(ring.decrypt(sealedUnderOld, row), credentials)
    assert.isFalse(ring.isCurrent(sealedUnderOld))
    assert.deepEqual(ring.previousKeyIds, [credentialsKeyId(oldKey)])

    const resealed = ring.encrypt(credentials, row)
    assert.equal(ring.header(resealed).keyId, credentialsKeyId(newer))
    assert.isTrue(ring.isCurrent(resealed))
    assert.throws(() => new CredentialsCipher(oldKey).decrypt(resealed, row), /key [0-9a-f]{8}/)
  })

  test('a key outside the ring is named by its id', ({ assert }) => {
    const outside = newKey()
    const sealed = new CredentialsCipher(outside).encrypt(credentials, row)
    const ring = new CredentialsCipher(newKey(), [newKey()])
    assert.throws(
      () => ring.decrypt(sealed, row),
      `sealed with key ${credentialsKeyId(outside)}, which is neither CREDENTIALS_KEY`
    )
  })

  test('a legacy v1 value opens with whichever key of the ring sealed it, and is not current', ({
    assert,
  }) => {
    const oldKey = newKey()
    const legacy = legacySeal(oldKey, credentials)

    assert.deepEqual(new CredentialsCipher(oldKey).decrypt(legacy, row), credentials)
    const ring = new CredentialsCipher(newKey(), [oldKey])
    assert.deepEqual(ring.decrypt(legacy, row), credentials)
    assert.deepEqual(ring.header(legacy), { version: 'v1', keyId: null })
    assert.isFalse(ring.isCurrent(legacy))
    assert.throws(() => new CredentialsCipher(newKey()).decrypt(legacy, row), CredentialsKeyError)
  })

  test('CREDENTIALS_PREVIOUS_KEYS is a comma-separated list; blanks are ignored', ({ assert }) => {
    assert.deepEqual(parseKeyList(undefined), [])
    assert.deepEqual(parseKeyList(''), [])
    assert.deepEqual(parseKeyList(' a= , ,b= '), ['a=', 'b='])
  })

  test('generated keys are 32 random bytes, each different', ({ assert }) => {
    const key = generateCredentialsKey()
    assert.lengthOf(Buffer.from(key, 'base64'), 32)
    assert.notEqual(generateCredentialsKey(), key)
    assert.doesNotThrow(() => new CredentialsCipher(key))
  })
})
