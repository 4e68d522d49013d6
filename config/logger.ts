import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, targets } from '@adonisjs/core/logger'
import { LOG_REDACT_CENSOR, LOG_REDACT_PATHS } from '#messaging/accounts/log_redaction'

/**
 * LOG_FORMAT: json (one object per line, for collectors) or pretty; json
 * unless NODE_ENV=development. Credentials and authorization headers are
 * redacted wherever log_redaction.ts's paths find them.
 */
const format = env.get('LOG_FORMAT') ?? (app.inDev ? 'pretty' : 'json')

const loggerConfig = defineConfig({
  default: 'app',
  loggers: {
    app: {
      enabled: true,
      name: 'switchboard',
      level: env.get('LOG_LEVEL'),
      redact: {
        paths: LOG_REDACT_PATHS,
        censor: LOG_REDACT_CENSOR,
      },
      transport: {
        targets: targets()
          .pushIf(format === 'pretty', targets.pretty())
          .pushIf(format === 'json', targets.file({ destination: 1 }))
          .toArray(),
      },
    },
  },
})

export default loggerConfig

declare module '@adonisjs/core/types' {
  export interface LoggersList extends InferLoggers<typeof loggerConfig> {}
}
