import type { HttpContext } from '@adonisjs/core/http'
import { appUrl } from '#config/app'
import { WebhookProviderNotFoundException } from '#exceptions/webhook_exceptions'
import type { WebhookAccounts } from '#messaging/accounts/webhook_accounts'
import type {
  WebhookEndpoint,
  WebhookReply,
  WebhookRequest,
} from '#messaging/vendors/contract/vendor'
import { webhookRouteNamed, type WebhookRoute } from '#messaging/vendors/webhook_routes'

/**
 * The vendor route a webhook came in on and the provider account its path
 * names. The account must be of that route's vendor: a Postal account's id
 * under /twilio/ answers 404, like an unknown id.
 */
export async function vendorWebhookOf<Direction extends WebhookRoute['direction']>(
  { route, params }: HttpContext,
  accounts: WebhookAccounts,
  direction: Direction
) {
  const webhook = webhookRouteNamed(route?.name)
  if (webhook?.direction !== direction) throw new WebhookProviderNotFoundException()
  const account = await accounts.find(params.providerId, webhook.vendor.type)
  return { webhook: webhook as Extract<WebhookRoute, { direction: Direction }>, account }
}

type HandlerClass<Handler> = Awaited<ReturnType<WebhookEndpoint<Handler>['handler']>>
const handlerClasses = new Map<WebhookEndpoint<unknown>, Promise<HandlerClass<unknown>>>()

/**
 * The handler class of a vendor's webhook, imported on its first webhook and
 * kept, as AdonisJS keeps a lazy controller: an import() per request would
 * resolve the `#messaging/...` specifier again on every callback.
 */
export function handlerClassOf<Handler>(endpoint: WebhookEndpoint<Handler>) {
  let handlerClass = handlerClasses.get(endpoint)
  if (!handlerClass) {
    handlerClass = endpoint.handler()
    handlerClass.catch(() => handlerClasses.delete(endpoint))
    handlerClasses.set(endpoint, handlerClass)
  }
  return handlerClass as Promise<HandlerClass<Handler>>
}

/** The webhook as its vendor sent it: raw bytes, headers and the public URL it called. */
export function webhookRequestOf({ request }: HttpContext): WebhookRequest {
  const headers: WebhookRequest['headers'] = {}
  for (const [name, value] of Object.entries(request.headers())) {
    headers[name] = Array.isArray(value) ? value[0] : value
  }
  // Vendors sign the URL they were given (APP_URL), not the Host this request came in on
  return {
    rawBody: request.raw(),
    headers,
    url: `${appUrl}${request.url(true)}`,
    fields: request.all(),
  }
}

export function sendReply({ response }: HttpContext, reply: WebhookReply) {
  if (reply.contentType) response.header('content-type', reply.contentType)
  return reply.body
}
