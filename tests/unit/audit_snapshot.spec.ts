import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { auditSnapshot } from '#messaging/audit/audit_snapshot'

test.group('Audit snapshot', () => {
  test('secret values are masked by key name at any depth, the rest kept', ({ assert }) => {
    const snapshot = auditSnapshot({
      name: 'Postal EU',
      config: {
        baseUrl: 'https://postal.example.com',
        apiKey: 'postal-api-key-0001',
        serviceAccount: { client_email: 'a@b.c', private_key: 'pk-material-0002' },
        reportSecret: 'report-secret-0003',
      },
      endpoints: [{ url: 'https://hooks.example.com', signing_key: 'signing-0004' }],
      headers: { Authorization: 'Bearer token-0005' },
      password: 'hunter2-0006',
      accessKeyId: 'AKIAEXAMPLE',
      secretMask: '…0007',
    })

    assert.deepEqual(snapshot, {
      name: 'Postal EU',
      config: {
        baseUrl: 'https://postal.example.com',
        apiKey: '…0001',
        serviceAccount: '[redacted]',
        reportSecret: '…0003',
      },
      endpoints: [{ url: 'https://hooks.example.com', signing_key: '…0004' }],
      headers: { Authorization: '…0005' },
      password: '…0006',
      accessKeyId: 'AKIAEXAMPLE',
      secretMask: '…0007',
    })
  })

  test('key material is masked whatever field holds it', ({ assert }) => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----'
    assert.deepEqual(auditSnapshot({ note: pem, list: [pem] }), {
      note: '[redacted]',
      list: ['[redacted]'],
    })
  })

  test('an already masked view stays the same, and a removed secret stays null', ({ assert }) => {
    const view = { apiKey: '…abcd', secret: null, token: '' }
    assert.deepEqual(auditSnapshot(view), { apiKey: '…abcd', secret: null, token: '…' })
    assert.deepEqual(auditSnapshot(auditSnapshot(view)), auditSnapshot(view))
  })

  test('dates are stored as JSON stores them', ({ assert }) => {
    const at = DateTime.fromISO('2030-01-02T03:04:05.000Z', { zone: 'utc' })
    assert.deepEqual(auditSnapshot({ createdAt: at }), { createdAt: at.toJSON() })
  })
})
