import type WebhookEndpoint from '#models/webhook_endpoint'

/** An endpoint as the API shows it: the secret only as its mask. */
export function webhookEndpointView(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    eventTypes: endpoint.eventTypes,
    secretMask: endpoint.secretMask,
    enabled: endpoint.enabled,
    consecutiveFailures: endpoint.consecutiveFailures,
    failingSince: endpoint.failingSince ?? null,
    disabledAt: endpoint.disabledAt ?? null,
    disabledReason: endpoint.disabledReason ?? null,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  }
}
