import { execFileSync } from 'node:child_process'
import { mkdir, rm } from 'node:fs/promises'
import { cpus, loadavg, release, totalmem } from 'node:os'
import { join } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import redis from '@adonisjs/redis/services/main'
import { ApiClient } from '#bench/api_client'
import { BenchContext, POSTAL_API_KEY } from '#bench/bench_context'
import {
  addBulkCeiling,
  apiNoopCeiling,
  bareWebhookCeiling,
  copyCeiling,
  noopWorkerCeiling,
} from '#bench/ceilings'
import { PostalSink } from '#bench/postal_sink'
import { buildResults, type Measurements } from '#bench/report'
import { ServiceProcesses } from '#bench/service_processes'
import { BULK_ACCEPT_CONCURRENCY, bulkAccept } from '#bench/scenarios/bulk_accept'
import { dispatch } from '#bench/scenarios/dispatch'
import { priority } from '#bench/scenarios/priority'
import { WEBHOOK_CONCURRENCY, webhooks } from '#bench/scenarios/webhooks'
import { CONSOLES, consoleOverview } from '#bench/scenarios/console_overview'
import { search, searchQueries, warmSearch } from '#bench/scenarios/search'
import { loadSearchDataset } from '#bench/search_dataset'

/**
 * Issue 7's sizes, at BENCH_SCALE=1; issue 18's console overview in seconds
 * measured and message search in rows searched
 */
const FULL_SIZES = {
  bulkAccept: 100_000,
  dispatch: 50_000,
  priority: 100_000,
  webhooks: 20_000,
  consoleOverview: 60,
  search: 1_000_000,
}

export type ScenarioName = keyof typeof FULL_SIZES
export const SCENARIOS = Object.keys(FULL_SIZES) as ScenarioName[]

export interface BenchOptions {
  appRoot: string
  apiUrl: string
  postalPort: number
  scale: number
  runs: number
  scenarios: ScenarioName[]
  /** Write CPU profiles of every service process */
  profile: boolean
  /** Progress lines */
  log: (line: string) => void
}

const format = (value: number) => Math.round(value).toLocaleString('en-US')

/**
 * The whole benchmark: the Postal fake and the service processes up, the
 * bench tenant made, then each scenario `runs` times (each run from a wiped
 * state, its ceilings measured just before it), the peak RSS of every process
 * over scenarios 1-3, and the results.
 */
export async function runBenchmark(options: BenchOptions) {
  const startedAt = new Date()
  const sizes = Object.fromEntries(
    Object.entries(FULL_SIZES).map(([name, size]) => [
      name,
      Math.max(1, Math.round(size * options.scale)),
    ])
  ) as typeof FULL_SIZES
  const benchDir = join(options.appRoot, 'tmp', 'bench')
  const logDir = join(benchDir, 'logs')
  const profileDir = options.profile ? join(benchDir, 'profiles') : undefined
  await mkdir(logDir, { recursive: true })
  if (profileDir) {
    await rm(profileDir, { recursive: true, force: true })
    await mkdir(profileDir, { recursive: true })
  }

  const postal = await new PostalSink({ apiKey: POSTAL_API_KEY }).start(options.postalPort)
  options.log(`Starting the API and the workers (logs in ${logDir})`)
  const services = await ServiceProcesses.start({
    appRoot: options.appRoot,
    logDir,
    env: process.env,
    apiUrl: options.apiUrl,
    profileDir,
  }).catch(async (error) => {
    await postal.stop()
    throw error
  })
  const api = new ApiClient(options.apiUrl)

  try {
    const machine = await machineInfo(options.appRoot)
    const ctx = await BenchContext.prepare(api, postal, services)
    await ctx.warmUp()
    const measured: Measurements = { rss: {}, rssFromScenarioStart: true }
    const repeat = async <T>(run: (index: number) => Promise<T>) => {
      const results: T[] = []
      for (let index = 0; index < options.runs; index++) {
        results.push(await run(index))
      }
      return results
    }
    const label = (name: string, index: number) => `${name} run ${index + 1}/${options.runs}`
    /** Scenarios 1-3 note each process's peak RSS over their runs */
    const withPeakRss = async <T>(name: ScenarioName, measure: () => Promise<T>) => {
      measured.rssFromScenarioStart &&= await services.resetPeakRss()
      const result = await measure()
      measured.rss[name] = await services.peakRssMb()
      return result
    }
    const wanted = (name: ScenarioName) => options.scenarios.includes(name)

    if (wanted('bulkAccept')) {
      measured.bulkAccept = await withPeakRss('bulkAccept', () =>
        repeat(async (index) => {
          const addBulkPerSecond = await addBulkCeiling(sizes.bulkAccept)
          const copyPerSecond = await copyCeiling(sizes.bulkAccept, ctx.tenant.id)
          const run = await bulkAccept(ctx, sizes.bulkAccept)
          options.log(
            `${label('bulk accept', index)}: ${format(run.perSecond)} recipients/s ` +
              `(ceilings: addBulk ${format(addBulkPerSecond)} jobs/s, COPY ${format(copyPerSecond)} rows/s)`
          )
          return { ...run, addBulkPerSecond, copyPerSecond }
        })
      )
    }

    if (wanted('dispatch')) {
      measured.dispatch = await withPeakRss('dispatch', () =>
        repeat(async (index) => {
          const noopWorkerPerSecond = await noopWorkerCeiling(sizes.dispatch)
          const run = await dispatch(ctx, sizes.dispatch)
          options.log(
            `${label('dispatch', index)}: ${format(run.perSecond)} messages/s, ` +
              `${run.duplicates} duplicates (ceiling: no-op worker ${format(noopWorkerPerSecond)} jobs/s)`
          )
          return { ...run, noopWorkerPerSecond }
        })
      )
    }

    if (wanted('priority')) {
      measured.priority = await withPeakRss('priority', () =>
        repeat(async (index) => {
          const run = await priority(ctx, sizes.priority)
          options.log(
            `${label('priority', index)}: P0 p50 ${run.p50Ms.toFixed(1)} ms, p99 ${run.p99Ms.toFixed(1)} ms ` +
              `over ${run.probes} probes (P3 backlog drained at ${format(run.backlogPerSecond)}/s)`
          )
          return run
        })
      )
    }

    if (wanted('webhooks')) {
      // Signed once (signing is slow) and sent to the bare receiver in every run
      const bareCallbacks = ctx.callbacksAboutUnknownMessages(sizes.webhooks)
      measured.webhooks = await repeat(async (index) => {
        const bareReceiverPerSecond = await bareWebhookCeiling(
          bareCallbacks,
          ctx.callbackSigner.publicKey,
          WEBHOOK_CONCURRENCY
        )
        const apiNoopPerSecond = await apiNoopCeiling(api, sizes.webhooks, WEBHOOK_CONCURRENCY)
        const run = await webhooks(ctx, sizes.webhooks)
        options.log(
          `${label('webhooks', index)}: ${format(run.perSecond)} events/s ` +
            `(ceiling: bare receiver ${format(bareReceiverPerSecond)} callbacks/s; ` +
            `the API answers GET /health ${format(apiNoopPerSecond)} times/s)`
        )
        return { ...run, bareReceiverPerSecond, apiNoopPerSecond }
      })
    }

    if (wanted('consoleOverview')) {
      measured.consoleOverview = await repeat(async (index) => {
        const run = await consoleOverview(ctx, options.apiUrl, sizes.consoleOverview)
        options.log(
          `${label('console overview', index)}: ${CONSOLES} consoles add ` +
            `${run.addedApiCpuPercent.toFixed(1)}% of one core to the API over ${run.seconds} s ` +
            `(idle ${run.idleApiCpuPercent}%, with consoles ${run.consolesApiCpuPercent}%; ` +
            `${run.polls} polls, p50 ${run.pollP50Ms.toFixed(1)} ms, ${run.fragmentBytes} bytes each)`
        )
        return run
      })
    }

    if (wanted('search')) {
      await ctx.wipe()
      const loadStartedAt = performance.now()
      const dataset = await loadSearchDataset(ctx.tenant.id, sizes.search)
      options.log(
        `search: ${format(dataset.rows)} messages loaded (COPY, VACUUM ANALYZE) in ` +
          `${format((performance.now() - loadStartedAt) / 1000)} s, ${format(dataset.benchRows)} the bench tenant's`
      )
      const queries = searchQueries(dataset)
      await warmSearch(ctx, queries)
      measured.search = await repeat(async (index) => {
        const run = await search(ctx, queries)
        const figures = Object.entries(run.filters).map(
          ([name, figure]) => `${name} p95 ${figure.p95Ms.toFixed(1)} ms`
        )
        options.log(
          `${label('search', index)}: ${figures.join(', ')} ` +
            `(ceiling: GET /health p95 ${run.healthP95Ms.toFixed(1)} ms)`
        )
        return { ...run, rows: dataset.rows }
      })
    }

    await ctx.wipe()
    return buildResults(measured, {
      scale: options.scale,
      runs: options.runs,
      sizes: Object.fromEntries(options.scenarios.map((name) => [name, sizes[name]])),
      concurrency: { bulkCalls: BULK_ACCEPT_CONCURRENCY, webhookPosts: WEBHOOK_CONCURRENCY },
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: { ...machine, loadAverageAfter: loadAverage() },
    })
  } finally {
    api.close()
    await services.stop()
    await postal.stop()
  }
}

/** What the figures were measured on: other load on a shared machine shows in the load average */
async function machineInfo(appRoot: string) {
  const [postgres, redisInfo] = await Promise.all([
    db.rawQuery('SHOW server_version'),
    redis.info('server'),
  ])
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: appRoot, encoding: 'utf8' }).trim()
    } catch {
      return null
    }
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    postgres: postgres.rows[0].server_version as string,
    redis: /redis_version:(\S+)/.exec(redisInfo)?.[1] ?? 'unknown',
    commit: git('rev-parse', '--short', 'HEAD'),
    uncommittedChanges: git('status', '--porcelain') !== '',
    loadAverageBefore: loadAverage(),
  }
}

const loadAverage = () => loadavg().map((value) => Number(value.toFixed(2)))
