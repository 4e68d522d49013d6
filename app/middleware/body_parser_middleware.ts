import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { BodyParserConfig } from '@adonisjs/core/types/bodyparser'
import Parser from '@adonisjs/core/bodyparser_middleware'
import { RAW_BODY_WEBHOOK_ROUTES } from '#messaging/vendors/webhook_routes'

interface RawReader {
  types: string[]
  parser: Parser
}

let parsers: { full: Parser; webhook: RawReader[] } | undefined

/**
 * AdonisJS's body parser (config/bodyparser.ts), except on the provider
 * webhooks, which get the raw body only, read with the limit their content
 * type has everywhere else: parsing a JSON or form body into `request.body()`,
 * and AdonisJS's deep copy of it, would be work thrown away on every callback
 * (and nothing unsigned is parsed).
 */
export default class BodyParserMiddleware {
  handle(ctx: HttpContext, next: NextFn) {
    const { full, webhook } = (parsers ??= build())
    if (!RAW_BODY_WEBHOOK_ROUTES.has(ctx.route?.name ?? '')) return full.handle(ctx, next)
    const reader = webhook.find(({ types }) => ctx.request.is(types))
    return reader ? reader.parser.handle(ctx, next) : next()
  }
}

function build() {
  const config = app.config.get<BodyParserConfig>('bodyparser')
  const rawOnly = (types: string[], limit: BodyParserConfig['raw']['limit']): RawReader => ({
    types,
    parser: new Parser(
      {
        ...config,
        multipart: { ...config.multipart, types: [] },
        form: { ...config.form, types: [] },
        json: { ...config.json, types: [] },
        raw: { ...config.raw, types, limit },
      },
      app.experimentalFlags
    ),
  })
  return {
    full: new Parser(config, app.experimentalFlags),
    webhook: [
      rawOnly(config.form.types, config.form.limit),
      rawOnly(config.json.types, config.json.limit),
      rawOnly(config.raw.types, config.raw.limit),
    ],
  }
}
