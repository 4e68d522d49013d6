/**
 * The two HTTP calls SNS webhooks make us do: download a signing certificate
 * and confirm a subscription. A port bound in the container, so tests serve
 * a fake SNS's self-signed certificate instead of reaching AWS. Callers check
 * the URLs (https, an SNS host) before handing them over.
 */
export abstract class SnsFetcher {
  /** The PEM certificate at a SigningCertURL */
  abstract certificate(url: URL): Promise<string>
  /** GET the SubscribeURL of a SubscriptionConfirmation */
  abstract confirmSubscription(url: URL): Promise<void>
}

const TIMEOUT_MS = 5_000
/** SNS uses a handful of certificates; the cap only bounds memory */
const MAX_CACHED = 50

/**
 * Fetches from AWS. Certificates are cached by URL (SNS names a new
 * certificate with a new URL when it rotates), failures are not.
 */
export class HttpsSnsFetcher extends SnsFetcher {
  #certificates = new Map<string, Promise<string>>()

  certificate(url: URL) {
    const cached = this.#certificates.get(url.href)
    if (cached) return cached
    if (this.#certificates.size >= MAX_CACHED) {
      this.#certificates.delete(this.#certificates.keys().next().value!)
    }
    const fetched = this.#get(url).then((response) => response.text())
    this.#certificates.set(url.href, fetched)
    fetched.catch(() => this.#certificates.delete(url.href))
    return fetched
  }

  async confirmSubscription(url: URL) {
    const response = await this.#get(url)
    await response.arrayBuffer()
  }

  async #get(url: URL) {
    // No redirects: the host rules checked on this URL must hold for what answers
    const response = await fetch(url, {
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    if (!response.ok) {
      throw new Error(`${url.host} answered ${response.status}`)
    }
    return response
  }
}
