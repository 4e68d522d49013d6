import env from '#start/env'
import { defineConfig } from '@adonisjs/core/bodyparser'

/**
 * The API speaks JSON. Provider webhooks verify signatures over the exact
 * bytes they were sent, which every parser below keeps as `request.raw()`:
 * Postal posts JSON, Twilio a form, SNS JSON labelled text/plain (read as
 * text, so the webhook parses what it verified).
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
  raw: {
    encoding: 'utf-8',
    types: ['text/*'],
    // SNS messages are at most 256 KB
    limit: '1mb',
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
