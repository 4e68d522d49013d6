import { VENDORS } from '#messaging/vendors/index'
import type {
  InboundWebhook,
  StatusWebhook,
  Vendor,
  WebhookEndpoint,
} from '#messaging/vendors/contract/vendor'

/** Every vendor webhook is under this path, then `/<vendor path>/:providerId` */
export const WEBHOOKS_PREFIX = '/api/webhooks/communication'

interface RouteOf<Direction, Handler> {
  direction: Direction
  vendor: Vendor
  endpoint: WebhookEndpoint<Handler>
  /** Under WEBHOOKS_PREFIX */
  pattern: string
  /** Under `webhooks.` */
  name: string
}

export type WebhookRoute = RouteOf<'status', StatusWebhook> | RouteOf<'inbound', InboundWebhook>

/**
 * The webhook routes the vendors declare: `pattern` under WEBHOOKS_PREFIX,
 * `name` under `webhooks.` (webhooks.postal, webhooks.postal.inbound, ...).
 */
export const WEBHOOK_ROUTES: WebhookRoute[] = VENDORS.flatMap((vendor) => {
  if (!vendor.webhooks) return []
  const { path, status, inbound } = vendor.webhooks
  const routes: WebhookRoute[] = []
  if (status) {
    const name = status.name ?? path
    const pattern = `/${path}/:providerId`
    routes.push({ direction: 'status', vendor, endpoint: status, pattern, name })
  }
  if (inbound) {
    const name = inbound.name ?? `${path}.inbound`
    const pattern = `/${path}/:providerId/inbound`
    routes.push({ direction: 'inbound', vendor, endpoint: inbound, pattern, name })
  }
  return routes
})

const BY_NAME = new Map(WEBHOOK_ROUTES.map((route) => [`webhooks.${route.name}`, route]))

/** The vendor webhook route of a full route name (`webhooks.postal`), if it is one. */
export function webhookRouteNamed(name: string | undefined) {
  return name === undefined ? undefined : BY_NAME.get(name)
}

/** The webhook routes the server reads raw: each checks a signature over the exact bytes. */
export const RAW_BODY_WEBHOOK_ROUTES = new Set(
  WEBHOOK_ROUTES.filter((route) => !route.endpoint.parsedBody).map(
    (route) => `webhooks.${route.name}`
  )
)

/** Where a vendor posts an account's status callbacks (appUrl: the public base URL). */
export function statusCallbackUrl(appUrl: string, vendor: Vendor, providerConfigId: string) {
  return `${appUrl}${WEBHOOKS_PREFIX}/${vendor.webhooks?.path ?? vendor.type}/${providerConfigId}`
}
