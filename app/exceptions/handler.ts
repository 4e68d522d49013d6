import app from '@adonisjs/core/services/app'
import { HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import { errors as vineErrors } from '@vinejs/vine'
import { errors as authErrors } from '@adonisjs/auth'
import { errors as limiterErrors } from '@adonisjs/limiter'
import type { ApiError } from '#exceptions/api_error'
import { DomainException } from '#exceptions/api_error'
import { isServiceUnavailable } from '#exceptions/service_availability'
import { SendNotYetRecordedException } from '#exceptions/webhook_exceptions'
import { rateLimitHeaders } from '#exceptions/rate_limit_headers'
import { renderConsoleError } from '#exceptions/console_error_pages'
import { isConsoleRequest } from '#console/console_paths'

interface ErrorReply {
  status: number
  errors: ApiError[]
  headers?: Record<string, string>
}

function isNonObjectJson(message: unknown) {
  return typeof message === 'string' && message.startsWith('Invalid JSON, only supports')
}

/**
 * Text PostgreSQL refuses to store: U+0000 in text (22021) or jsonb (22P05),
 * an unpaired UTF-16 surrogate in jsonb (22P02). A request or webhook that
 * carries one is malformed; its statement (or transaction) failed whole, so
 * nothing of it was written.
 */
const UNSTORABLE_TEXT_CODES = new Set(['22021', '22P05', '22P02'])

function isUnstorableText(error: unknown) {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && UNSTORABLE_TEXT_CODES.has(code)
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'E_BAD_REQUEST',
  401: 'E_UNAUTHORIZED',
  403: 'E_FORBIDDEN',
  404: 'E_NOT_FOUND',
  405: 'E_METHOD_NOT_ALLOWED',
  409: 'E_CONFLICT',
  413: 'E_PAYLOAD_TOO_LARGE',
  415: 'E_UNSUPPORTED_MEDIA_TYPE',
  422: 'E_VALIDATION',
  429: 'E_RATE_LIMITED',
  503: 'E_SERVICE_UNAVAILABLE',
}

/**
 * Every error leaves the API in one shape:
 * {"errors":[{"code","message","field?"}]} with the status that fits.
 */
export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = !app.inProduction

  async handle(error: unknown, ctx: HttpContext) {
    const reply = this.toReply(error)
    if (isConsoleRequest(ctx.request.url())) {
      return renderConsoleError(error, reply.status, reply.errors, ctx)
    }
    for (const [name, value] of Object.entries(reply.headers ?? {})) {
      ctx.response.header(name, value)
    }
    return ctx.response.status(reply.status).send({ errors: reply.errors })
  }

  async report(error: unknown, ctx: HttpContext) {
    const status = this.toReply(error).status
    // A callback that came before its send was recorded is expected and retried by the provider
    if (error instanceof SendNotYetRecordedException) {
      ctx.logger.info('callback about a send not yet recorded: asked the provider to retry')
    } else if (status >= 500) {
      ctx.logger.error({ err: error }, 'request failed')
    }
  }

  protected toReply(error: unknown): ErrorReply {
    if (error instanceof vineErrors.E_VALIDATION_ERROR) {
      const messages = error.messages as Array<{ field: string; message: string; rule: string }>
      return {
        status: 422,
        errors: messages.map((entry) => ({
          code: 'E_VALIDATION',
          message: entry.message,
          field: entry.field,
          rule: entry.rule,
        })),
      }
    }

    if (error instanceof authErrors.E_UNAUTHORIZED_ACCESS) {
      return this.single(401, 'E_UNAUTHORIZED', 'A valid API key is required')
    }

    if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
      const retryAfter = String(Math.max(1, error.response.availableIn))
      return {
        ...this.single(429, 'E_RATE_LIMITED', `Too many requests: retry in ${retryAfter} s`),
        headers: { 'Retry-After': retryAfter, ...rateLimitHeaders(error.response) },
      }
    }

    if (error instanceof DomainException) {
      return { status: error.status, errors: [error.toApiError()], headers: error.headers() }
    }

    if (isUnstorableText(error)) {
      return this.single(
        400,
        'E_BAD_REQUEST',
        'The request contains text that cannot be stored (a NUL character or an unpaired surrogate)'
      )
    }

    if (isServiceUnavailable(error)) {
      return this.single(503, 'E_SERVICE_UNAVAILABLE', 'A backing service is unavailable, retry')
    }

    const { status, message } = error as { status?: unknown; message?: unknown }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // A JSON syntax error, or (strict mode) JSON that is not an object or array
      if ((status === 400 && error instanceof SyntaxError) || isNonObjectJson(message)) {
        return this.single(400, 'E_MALFORMED_JSON', 'The request body is not valid JSON')
      }
      if (status === 413) {
        return this.single(413, 'E_PAYLOAD_TOO_LARGE', 'The request body is too large')
      }
      const code = CODE_BY_STATUS[status] ?? 'E_BAD_REQUEST'
      return this.single(status, code, typeof message === 'string' ? message : code)
    }

    return this.single(500, 'E_INTERNAL', 'Internal server error')
  }

  protected single(status: number, code: string, message: string): ErrorReply {
    return { status, errors: [{ code, message }] }
  }
}
