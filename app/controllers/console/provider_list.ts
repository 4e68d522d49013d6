import type { Channel } from '#enums/channel'
import type { providerView } from '#messaging/accounts/provider_view'
import type { GatewayHealthSnapshot } from '#messaging/routing/gateway_health'
import { vendorOf } from '#messaging/vendors/index'

type ProviderView = ReturnType<typeof providerView>

export const CHANNEL_LABELS: Record<Channel, string> = {
  email: 'Email',
  sms: 'SMS',
  push: 'Push',
  webhook: 'Webhook',
}

/**
 * The providers page's list: one group per channel, each in the order its
 * providers are tried (the service lists them so), each provider with what
 * its settings are (secrets as their masks) and its gateway's health.
 */
export function providerGroups(
  providers: ProviderView[],
  health: Map<string, GatewayHealthSnapshot>
) {
  const byChannel = new Map<Channel, ProviderView[]>()
  for (const provider of providers) {
    byChannel.set(provider.channel, [...(byChannel.get(provider.channel) ?? []), provider])
  }
  return [...byChannel].map(([channel, group]) => ({
    channel,
    label: CHANNEL_LABELS[channel],
    providers: group.map((provider, index) => ({
      ...provider,
      typeLabel: vendorOf(provider.type).label,
      position: index + 1,
      first: index === 0,
      last: index === group.length - 1,
      settings: settingsOf(provider),
      health: healthOf(health.get(provider.id)),
    })),
  }))
}

/** The filled-in settings, labelled as the form labels them; the config's secrets are masks already */
function settingsOf(provider: ProviderView) {
  return vendorOf(provider.type)
    .configFields.filter((field) => provider.config[field.name] !== undefined)
    .map((field) => {
      const value = provider.config[field.name]
      return { label: field.label, value: typeof value === 'string' ? shortened(value) : 'set' }
    })
}

/** A long value (a public key) is cut in its middle for the list; the edit form has it whole */
function shortened(value: string, max = 48) {
  return value.length <= max ? value : `${value.slice(0, max - 9)}…${value.slice(-8)}`
}

/** The circuit as a badge; the score is the success rate in the window, lowered when slow */
function healthOf(snapshot: GatewayHealthSnapshot | undefined) {
  if (!snapshot) return null
  const score = Math.round(snapshot.score * 100)
  const [label, badge] =
    snapshot.state === 'open'
      ? ['Circuit open', 'bad']
      : snapshot.state === 'half_open'
        ? ['Probing', 'warn']
        : score >= 90
          ? ['Healthy', 'ok']
          : ['Degraded', 'warn']
  return { label, badge, score, state: snapshot.state }
}
