import { setTimeout as sleep } from 'node:timers/promises'
import User from '#models/user'
import { Priority } from '#enums/priority'
import type { BenchContext } from '#bench/bench_context'
import type { CpuMeasured } from '#bench/cpu_meter'
import { percentile } from '#bench/report'

/** Open consoles, each reloading the overview's figures as the page's htmx does */
export const CONSOLES = 5
const POLL_EVERY_MS = 5_000
/** Sent before the clocks run, so the overview has an hour's chart and lanes to show */
const SEEDED_MESSAGES = 1_000
const CONSOLE_EMAIL = 'bench-console@bench.switchboard.test'
const CONSOLE_PASSWORD = 'bench console password'
const LIVE_PATH = '/console/overview/live'

export interface ConsoleOverviewRun extends CpuMeasured {
  consoles: number
  seconds: number
  polls: number
  /** The API's CPU, % of one core, over `seconds` with no console open */
  idleApiCpuPercent: number
  /** …and over the same length of time with the consoles polling */
  consolesApiCpuPercent: number
  /** What the consoles added: the figure issue 18 caps at 5 % */
  addedApiCpuPercent: number
  pollP50Ms: number
  pollMaxMs: number
  fragmentBytes: number
}

/**
 * Scenario 5 (issue 18): the overview's live refresh with five consoles open
 * on an otherwise idle service. A tenant admin (no second factor) signs in
 * five times through the real sign-in form; the API's CPU is measured over
 * `seconds` with no console, then over `seconds` with each console fetching
 * GET /console/overview/live every 5 s (their polls spread over the 5 s), and
 * the difference is what the consoles cost. `cpuPercent` is the shares while
 * they polled.
 */
export async function consoleOverview(
  ctx: BenchContext,
  apiUrl: string,
  seconds: number
): Promise<ConsoleOverviewRun> {
  await ctx.wipe()
  await ctx.sendBulk(ctx.bulkBodies(SEEDED_MESSAGES, Priority.P2), 1)
  await ctx.waitFor(
    'console overview: seeded messages sent',
    async () => SEEDED_MESSAGES - (await ctx.unfinished()),
    SEEDED_MESSAGES
  )
  await User.updateOrCreate(
    { email: CONSOLE_EMAIL },
    { password: CONSOLE_PASSWORD, role: 'admin', tenantId: ctx.tenant.id }
  )
  const consoles = await Promise.all(
    Array.from({ length: CONSOLES }, () => ConsoleSession.signIn(apiUrl))
  )
  // The first render compiles the templates: paid before any clock runs
  for (const session of consoles) await poll(ctx, session)

  const idle = await ctx.cpu.start()
  await sleep(seconds * 1000)
  const idleShares = await idle.stop()

  const timings: number[] = []
  let fragmentBytes = 0
  const cpu = await ctx.cpu.start()
  const endsAt = performance.now() + seconds * 1000
  await Promise.all(
    consoles.map(async (session, index) => {
      let next = performance.now() + (index * POLL_EVERY_MS) / CONSOLES
      while (next < endsAt) {
        await sleep(Math.max(0, next - performance.now()))
        const startedAt = performance.now()
        fragmentBytes = await poll(ctx, session)
        timings.push(performance.now() - startedAt)
        next += POLL_EVERY_MS
      }
    })
  )
  await sleep(Math.max(0, endsAt - performance.now()))
  const cpuPercent = await cpu.stop()

  const idleApiCpuPercent = idleShares.api ?? 0
  const consolesApiCpuPercent = cpuPercent.api ?? 0
  return {
    consoles: CONSOLES,
    seconds,
    polls: timings.length,
    idleApiCpuPercent,
    consolesApiCpuPercent,
    addedApiCpuPercent: Math.round((consolesApiCpuPercent - idleApiCpuPercent) * 10) / 10,
    pollP50Ms: percentile(timings, 50),
    pollMaxMs: Math.max(...timings),
    fragmentBytes,
    cpuPercent,
  }
}

/** One reload of the figures, as htmx asks for it: the fragment's size */
async function poll(ctx: BenchContext, session: ConsoleSession) {
  const response = await ctx.api.get(LIVE_PATH, { 'cookie': session.cookie, 'hx-request': 'true' })
  if (response.status !== 200 || !response.body.startsWith('<section id="overview-live"')) {
    throw new Error(
      `GET ${LIVE_PATH} answered ${response.status}, not the fragment: ${response.body.slice(0, 200)}`
    )
  }
  return Buffer.byteLength(response.body)
}

/** A browser signed in to the console: its cookies, got through the sign-in form */
class ConsoleSession {
  #cookies = new Map<string, string>()

  private constructor(private baseUrl: string) {}

  static async signIn(baseUrl: string) {
    const session = new ConsoleSession(baseUrl)
    const form = await session.#fetch('/console/login', { method: 'GET' })
    const csrf = /name=['"]_csrf['"] value=['"]([^'"]+)['"]/.exec(await form.text())?.[1]
    if (!csrf) throw new Error('the sign-in page has no CSRF token')
    const signedIn = await session.#fetch('/console/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, email: CONSOLE_EMAIL, password: CONSOLE_PASSWORD }),
    })
    const location = signedIn.headers.get('location')
    if (signedIn.status !== 302 || !location?.endsWith('/console')) {
      throw new Error(`signing in to the console answered ${signedIn.status} to ${location}`)
    }
    return session
  }

  get cookie() {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  async #fetch(path: string, init: RequestInit) {
    const response = await fetch(new URL(path, this.baseUrl), {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: this.cookie },
    })
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair] = setCookie.split(';')
      const at = pair.indexOf('=')
      const value = pair.slice(at + 1).trim()
      if (value) this.#cookies.set(pair.slice(0, at).trim(), value)
      else this.#cookies.delete(pair.slice(0, at).trim())
    }
    return response
  }
}
