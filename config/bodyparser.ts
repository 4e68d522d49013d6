import env from '#start/env'
import { defineConfig } from '@adonisjs/core/bodyparser'

/**
 * JSON only: the API speaks JSON, and provider webhooks that post forms
 * (Twilio) or text/plain JSON (SNS) read the raw body themselves.
 */
const bodyParserConfig = defineConfig({
  allowedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  form: {
    convertEmptyStringsToNull: false,
    types: ['application/x-www-form-urlencoded'],
    limit: '1mb',
  },
  json: {
    convertEmptyStringsToNull: false,
    types: [
      'application/json',
      'application/json-patch+json',
      'application/vnd.api+json',
      'application/csp-report',
    ],
    limit: env.get('API_BODY_LIMIT'),
    strict: true,
  },
  multipart: {
    autoProcess: false,
    convertEmptyStringsToNull: false,
    processManually: [],
    limit: '1mb',
    types: ['multipart/form-data'],
  },
})

export default bodyParserConfig
