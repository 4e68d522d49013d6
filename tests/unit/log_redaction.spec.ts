import { test } from '@japa/runner'
import { Logger } from '@adonisjs/core/logger'
import loggerConfig from '#config/logger'

const SECRETS = {
  postalKey: 'postal-key-secret-1',
  sesSecret: 'ses-secret-access-key-2',
  twilioToken: 'twilio-auth-token-3',
  privateKey: '-----BEGIN PRIVATE KEY-----fcm-4',
  reportSecret: 'fcm-report-secret-5',
  webhookSecret: 'webhook-signing-secret-6',
  tenantKey: 'sb_live_tenant_api_key_7',
  basicAuth: 'Basic QUN4eHg6dHdpbGlvLXRva2Vu',
  password: 'database-password-8',
}

/** The app's logger as config/logger.ts sets it up, writing to memory instead of stdout */
function capturingLogger() {
  const lines: string[] = []
  const logger = new Logger({
    ...loggerConfig.loggers.app,
    transport: undefined,
    level: 'info',
    desination: { write: (line: string) => lines.push(line) },
  })
  return { logger, lines }
}

test.group('Log redaction', () => {
  test('credentials and authorization headers never reach a log line', ({ assert }) => {
    const { logger, lines } = capturingLogger()
    const messageId = 'a6f1c1de-0d51-4b43-9c1e-7d0c2f3a9b10'

    // A provider config's fields, top level and one level down
    logger.info(
      {
        messageId,
        apiKey: SECRETS.postalKey,
        config: { apiKey: SECRETS.postalKey, from: 'noreply@example.com' },
      },
      'top level'
    )
    logger.info(
      {
        messageId,
        ses: { secretAccessKey: SECRETS.sesSecret, region: 'eu-west-1' },
        twilio: { authToken: SECRETS.twilioToken },
        fcm: {
          serviceAccount: { private_key: SECRETS.privateKey },
          reportSecret: SECRETS.reportSecret,
        },
        webhook: { secret: SECRETS.webhookSecret },
        account: { credentials: { apiKey: SECRETS.postalKey } },
        database: { password: SECRETS.password },
      },
      'one level down'
    )
    // An incoming request, and an HTTP client's error with what it sent
    logger.info(
      { req: { method: 'POST', headers: { authorization: `Bearer ${SECRETS.tenantKey}` } } },
      'request'
    )
    logger.info({ headers: { 'x-server-api-key': SECRETS.postalKey } }, 'headers')
    const error = Object.assign(new Error('Request failed with status code 401'), {
      config: {
        headers: { Authorization: SECRETS.basicAuth },
        auth: { password: SECRETS.twilioToken },
      },
      request: { _header: `POST /Messages.json\r\nAuthorization: ${SECRETS.basicAuth}\r\n` },
      response: {
        status: 401,
        data: { message: 'Authenticate' },
        config: { headers: { Authorization: SECRETS.basicAuth } },
        request: { _header: `Authorization: ${SECRETS.basicAuth}` },
      },
      cause: Object.assign(new Error('socket'), { config: { auth: SECRETS.basicAuth } }),
    })
    logger.error({ messageId, err: error }, 'gateway call failed')

    const output = lines.join('')
    for (const [name, secret] of Object.entries(SECRETS)) {
      assert.notInclude(output, secret, `${name} reached the log`)
    }
    // What is not secret stays readable
    const failed = JSON.parse(lines[4])
    assert.equal(failed.messageId, messageId)
    assert.include(failed.err.message, 'Request failed with status code 401')
    assert.equal(failed.err.response.status, 401)
    assert.deepEqual(failed.err.response.data, { message: 'Authenticate' })
    assert.equal(JSON.parse(lines[1]).ses.region, 'eu-west-1')
    assert.equal(JSON.parse(lines[2]).req.method, 'POST')
  })
})
