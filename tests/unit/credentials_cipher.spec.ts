import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import {
  CredentialsCipher,
  CredentialsKeyError,
  maskSecret,
} from '#messaging/providers/credentials_cipher'

const newKey = () => randomBytes(32).toString('base64')
const credentials = { apiKey: 'postal-api-key-a1b2', baseUrl: 'https://postal.example.com' }

/** Flips one bit of one part of a sealed `v1.<iv>.<tag>.<ciphertext>` value */
function tamper(sealed: string, part: 1 | 2 | 3) {
  const parts = sealed.split('.')
  const bytes = Buffer.from(parts[part], 'base64url')
  bytes[0] ^= 1
  parts[part] = bytes.toString('base64url')
  return parts.join('.')
}

test.group('Credentials cipher', () => {
  test('decrypts what it encrypted, and the sealed value does not contain it', ({ assert }) => {
    const cipher = new CredentialsCipher(newKey())
    const sealed = cipher.encrypt(credentials)

    assert.notInclude(sealed, credentials.apiKey)
    assert.notInclude(sealed, Buffer.from(credentials.apiKey).toString('base64url'))
    assert.match(sealed, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/)
    assert.deepEqual(cipher.decrypt(sealed), credentials)
  })

  test('a fresh IV each time: the same credentials seal differently', ({ assert }) => {
    const cipher = new CredentialsCipher(newKey())
    assert.notEqual(cipher.encrypt(credentials), cipher.encrypt(credentials))
  })

  test('a tampered {name} fails instead of yielding garbage')
    .with([
      { name: 'IV', part: 1 as const },
      { name: 'auth tag', part: 2 as const },
      { name: 'ciphertext', part: 3 as const },
    ])
    .run(({ assert }, { part }) => {
      const cipher = new CredentialsCipher(newKey())
      const sealed = tamper(cipher.encrypt(credentials), part)
      assert.throws(() => cipher.decrypt(sealed), /CREDENTIALS_KEY/)
    })

  test('another key cannot decrypt, and says which variable is wrong', ({ assert }) => {
    const sealed = new CredentialsCipher(newKey()).encrypt(credentials)
    const other = new CredentialsCipher(newKey())
    try {
      other.decrypt(sealed)
      assert.fail('decrypted with the wrong key')
    } catch (error) {
      assert.instanceOf(error, CredentialsKeyError)
      assert.include((error as Error).message, 'CREDENTIALS_KEY')
    }
  })

  test('a value in no known format is refused', ({ assert }) => {
    const cipher = new CredentialsCipher(newKey())
    assert.throws(() => cipher.decrypt('{"apiKey":"plain"}'), CredentialsKeyError)
    assert.throws(() => cipher.decrypt('v0.a.b.c'), CredentialsKeyError)
  })

  test('a key that is not 32 bytes is refused at construction', ({ assert }) => {
    assert.throws(
      () => new CredentialsCipher(randomBytes(16).toString('base64')),
      /CREDENTIALS_KEY must be 32 bytes/
    )
  })

  test('maskSecret shows the last four characters at most', ({ assert }) => {
    assert.equal(maskSecret('postal-api-key-a1b2'), '…a1b2')
    assert.equal(maskSecret('abcd'), '…')
  })
})
