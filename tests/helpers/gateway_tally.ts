import type { FakeProviderServer } from '#messaging/vendors/fakes/fake_provider_server'

export interface SendTally {
  /** Messages the gateway never received */
  missing: string[]
  /** Sends beyond the first, over every message */
  duplicates: number
  /** The most times one message was sent */
  mostSends: number
}

/** How many times a fake gateway accepted each of these messages. */
export function tallySends(gateway: FakeProviderServer, messageIds: string[]): SendTally {
  const tally: SendTally = { missing: [], duplicates: 0, mostSends: 0 }
  for (const id of messageIds) {
    const sends = gateway.sendsByMessageId.get(id) ?? 0
    if (sends === 0) tally.missing.push(id)
    tally.duplicates += Math.max(0, sends - 1)
    tally.mostSends = Math.max(tally.mostSends, sends)
  }
  return tally
}
