import { randomInt } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'

const APP_URL = process.env.APP_URL ?? `http://127.0.0.1:${process.env.PORT}`

export interface Page {
  status: number
  location: string | null
  html: string
}

/**
 * A browser as far as the console's forms care: a cookie jar, the CSRF token
 * of the last page it was shown, and its own client address (sent as
 * X-Forwarded-For, which the app trusts), so the per-address sign-in limit of
 * one test never touches another's. Talks to the real HTTP server; redirects
 * are not followed, so a test sees each 302.
 */
export class ConsoleAgent {
  #cookies = new Map<string, string>()
  #csrf: string | null = null
  /** The last page shown: a browser's Referer, where a form's error redirects back to */
  #lastPage = '/console/login'
  readonly address = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`

  async get(path: string): Promise<Page> {
    return this.#send(path, { method: 'GET' })
  }

  /** A form POST with the CSRF token of the last page (override `_csrf` to send another, or none) */
  async post(path: string, fields: Record<string, string> = {}, { csrf = true } = {}) {
    const body = new URLSearchParams(csrf && this.#csrf ? { _csrf: this.#csrf, ...fields } : fields)
    return this.#send(path, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
  }

  /** GET the page with the form, then post it */
  async submit(formPage: string, action: string, fields: Record<string, string>) {
    await this.get(formPage)
    return this.post(action, fields)
  }

  /** Follows one redirect (a form's answer) and returns the page it led to */
  async follow(page: Page) {
    if (!page.location) throw new Error(`not a redirect: ${page.status}`)
    return this.get(page.location)
  }

  /** The HTML of the page a form's redirect leads to (its errors beside the fields) */
  async htmlAfter(page: Page) {
    const next = await this.follow(page)
    return next.html
  }

  /** The notice on the page a form's redirect leads to (its error or success message) */
  async noticeAfter(page: Page) {
    const next = await this.follow(page)
    return noticeOf(next.html)
  }

  /** Password (and, when asked, a TOTP code from `secret`): the page after the last step */
  async signIn(email: string, password: string, secret?: string) {
    const afterPassword = await this.submit('/console/login', '/console/login', {
      email,
      password,
    })
    if (afterPassword.location !== '/console/two-factor' || !secret) return afterPassword
    return this.submit('/console/two-factor', '/console/two-factor', { code: totpCode(secret) })
  }

  /** Signs in someone who must enrol two-factor (an operator's first sign-in): the secret their app now holds */
  async signInEnrolling(email: string, password: string) {
    await this.signIn(email, password)
    const secret = await this.enrolmentSecretOn('/console/two-factor')
    const done = await this.post('/console/two-factor', { code: totpCode(secret) })
    if (done.location !== '/console') throw new Error(`enrolment failed: ${done.status}`)
    return secret
  }

  /** Where the password step leads: /console (signed in), /console/two-factor, or back to /console/login */
  async passwordLeadsTo(email: string, password: string) {
    const page = await this.signIn(email, password)
    return page.location
  }

  /** The TOTP key an enrolment page shows */
  async enrolmentSecretOn(path: string) {
    const page = await this.get(path)
    return enrolmentSecret(page.html)
  }

  /** True when a console page opens rather than sending to the sign-in page */
  async isSignedIn() {
    const page = await this.get('/console/account')
    return page.status === 200
  }

  async #send(path: string, init: RequestInit): Promise<Page> {
    const response = await fetch(new URL(path, APP_URL), {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        'cookie': [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        'x-forwarded-for': this.address,
        'referer': new URL(this.#lastPage, APP_URL).toString(),
        'accept': 'text/html',
      },
    })
    for (const cookie of response.headers.getSetCookie()) this.#keep(cookie)
    if (init.method === 'GET' && response.status === 200) this.#lastPage = path
    const html = await response.text()
    const token = /name=['"]_csrf['"] value=['"]([^'"]+)['"]/.exec(html)
    if (token) this.#csrf = token[1]
    const location = response.headers.get('location')
    return { status: response.status, location: location && relative(location), html }
  }

  #keep(setCookie: string) {
    const [pair, ...attributes] = setCookie.split(';')
    const at = pair.indexOf('=')
    const name = pair.slice(0, at).trim()
    const value = pair.slice(at + 1).trim()
    const expired = attributes.some(
      (attribute) =>
        /^\s*max-age=0\s*$/i.test(attribute) ||
        (/^\s*expires=/i.test(attribute) && Date.parse(attribute.split('=')[1]) < Date.now())
    )
    if (expired || value === '') this.#cookies.delete(name)
    else this.#cookies.set(name, value)
  }
}

/** The code an authenticator app shows now for this base32 secret */
export function totpCode(secret: string, timestamp = Date.now()) {
  return new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp })
}

/** The base32 key an enrolment page shows for typing in by hand */
export function enrolmentSecret(html: string) {
  const found = /id="totp-secret">\s*([A-Z2-7]+)\s*</.exec(html)
  if (!found) throw new Error('no TOTP key on this page')
  return found[1]
}

/** The text of the flashed notice on a page */
export function noticeOf(html: string) {
  return /class="notice notice-[a-z]+"[^>]*>([^<]*)</.exec(html)?.[1] ?? null
}

function relative(location: string) {
  return location.startsWith('http') ? new URL(location).pathname : location
}
