import type { CpuMeasured, CpuShares } from '#bench/cpu_meter'
import type { BulkAcceptRun } from '#bench/scenarios/bulk_accept'
import type { DispatchRun } from '#bench/scenarios/dispatch'
import type { PriorityRun } from '#bench/scenarios/priority'
import type { WebhooksRun } from '#bench/scenarios/webhooks'
import type { ConsoleOverviewRun } from '#bench/scenarios/console_overview'
import type { SearchFilterName, SearchRun } from '#bench/scenarios/search'

/** Issue 7's targets, each judged on the median of the runs */
export const TARGETS = {
  bulkAcceptPerSecond: 20_000,
  dispatchPerSecond: 3_000,
  priorityP50Ms: 15,
  priorityP99Ms: 50,
  webhooksPerSecond: 3_000,
  workerMb: 200,
  apiMb: 300,
  /** Issue 18: five open consoles' live refresh, CPU added to the API, % of one core */
  consoleOverviewAddedCpuPercent: 5,
  /** Issue 18: each common message search on 1M rows, p95 through the API */
  searchP95Ms: 100,
}

export type BulkAcceptFigures = BulkAcceptRun & { addBulkPerSecond: number; copyPerSecond: number }
export type DispatchFigures = DispatchRun & { noopWorkerPerSecond: number }
export type WebhooksFigures = WebhooksRun & {
  bareReceiverPerSecond: number
  /** The API process's own no-op route (GET /health), requests/s */
  apiNoopPerSecond: number
}

export type SearchFigures = SearchRun & { rows: number }

/** Everything one benchmark measured; a scenario left out is absent */
export interface Measurements {
  bulkAccept?: BulkAcceptFigures[]
  dispatch?: DispatchFigures[]
  priority?: PriorityRun[]
  webhooks?: WebhooksFigures[]
  consoleOverview?: ConsoleOverviewRun[]
  search?: SearchFigures[]
  /** Peak RSS in MB of each process (api, worker-p0 …) during each of scenarios 1-3 */
  rss: Record<string, Record<string, number>>
  /** False when the peaks could not be reset after start-up, so they include it */
  rssFromScenarioStart: boolean
}

export interface RunInfo {
  scale: number
  runs: number
  sizes: Record<string, number>
  concurrency: Record<string, number>
  startedAt: string
  finishedAt: string
  machine: Record<string, unknown>
}

export function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Nearest-rank percentile */
export function percentile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1]
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits))
const medianOf = <T>(runs: T[], pick: (run: T) => number) => median(runs.map(pick))

/** Each process group's median CPU share over the runs (0 in a run it did not show up in) */
function medianCpu(runs: CpuMeasured[]): CpuShares {
  const groups = new Set(runs.flatMap((run) => Object.keys(run.cpuPercent)))
  return Object.fromEntries(
    [...groups].map((group) => [
      group,
      round(
        medianOf(runs, (run) => run.cpuPercent[group] ?? 0),
        1
      ),
    ])
  )
}

/**
 * bench/results.json: the shape ({bulkAccept: {perSecond,
 * ceilingPerSecond}, dispatch: {…}, priority: {p50Ms, p99Ms}, webhooks:
 * {perSecond}, rss: {workerMb, apiMb}}, medians) with, beside each figure, its
 * target, whether it was met, its ratio to the ceiling and every run.
 */
export function buildResults(measured: Measurements, info: RunInfo) {
  const bulk = measured.bulkAccept
  const bulkAccept = bulk && {
    perSecond: round(medianOf(bulk, (run) => run.perSecond)),
    // Every recipient is both a row and a job: the slower block bounds the whole
    ceilingPerSecond: round(
      Math.min(
        medianOf(bulk, (run) => run.addBulkPerSecond),
        medianOf(bulk, (run) => run.copyPerSecond)
      )
    ),
    ceilings: {
      addBulkPerSecond: round(medianOf(bulk, (run) => run.addBulkPerSecond)),
      copyPerSecond: round(medianOf(bulk, (run) => run.copyPerSecond)),
    },
    target: TARGETS.bulkAcceptPerSecond,
    cpuPercent: medianCpu(bulk),
    runs: bulk,
  }

  const sends = measured.dispatch
  const dispatch = sends && {
    perSecond: round(medianOf(sends, (run) => run.perSecond)),
    ceilingPerSecond: round(medianOf(sends, (run) => run.noopWorkerPerSecond)),
    target: TARGETS.dispatchPerSecond,
    duplicatesAtGateway: sends.reduce((sum, run) => sum + run.duplicates, 0),
    cpuPercent: medianCpu(sends),
    runs: sends,
  }

  const probes = measured.priority
  const priority = probes && {
    p50Ms: round(
      medianOf(probes, (run) => run.p50Ms),
      1
    ),
    p99Ms: round(
      medianOf(probes, (run) => run.p99Ms),
      1
    ),
    backlogPerSecond: round(medianOf(probes, (run) => run.backlogPerSecond)),
    targets: { p50Ms: TARGETS.priorityP50Ms, p99Ms: TARGETS.priorityP99Ms },
    cpuPercent: medianCpu(probes),
    runs: probes,
  }

  const callbacks = measured.webhooks
  const webhooks = callbacks && {
    perSecond: round(medianOf(callbacks, (run) => run.perSecond)),
    ceilingPerSecond: round(medianOf(callbacks, (run) => run.bareReceiverPerSecond)),
    apiNoopPerSecond: round(medianOf(callbacks, (run) => run.apiNoopPerSecond)),
    target: TARGETS.webhooksPerSecond,
    cpuPercent: medianCpu(callbacks),
    runs: callbacks,
  }

  const polled = measured.consoleOverview
  const consoleOverview = polled && {
    addedApiCpuPercent: round(
      medianOf(polled, (run) => run.addedApiCpuPercent),
      1
    ),
    idleApiCpuPercent: round(
      medianOf(polled, (run) => run.idleApiCpuPercent),
      1
    ),
    consolesApiCpuPercent: round(
      medianOf(polled, (run) => run.consolesApiCpuPercent),
      1
    ),
    target: TARGETS.consoleOverviewAddedCpuPercent,
    cpuPercent: medianCpu(polled),
    runs: polled,
  }

  const searched = measured.search
  const search = searched && searchResults(searched)

  const peaks = Object.values(measured.rss)
  const rss = peaks.length > 0 && {
    workerMb: Math.max(
      ...peaks.flatMap((byProcess) =>
        Object.entries(byProcess)
          .filter(([name]) => name.startsWith('worker'))
          .map(([, mb]) => mb)
      )
    ),
    apiMb: Math.max(...peaks.map((byProcess) => byProcess.api)),
    targets: { workerMb: TARGETS.workerMb, apiMb: TARGETS.apiMb },
    /** The highest peak over the runs (not a median): VmHWM of each process */
    byScenario: measured.rss,
    peaksIncludeStartup: !measured.rssFromScenarioStart,
  }

  const verdicts = [
    bulkAccept &&
      verdict('bulk accept, recipients/s', bulkAccept.perSecond, '>=', bulkAccept.target),
    dispatch && verdict('dispatch, messages/s', dispatch.perSecond, '>=', dispatch.target),
    priority && verdict('priority P0 p50, ms', priority.p50Ms, '<=', TARGETS.priorityP50Ms),
    priority && verdict('priority P0 p99, ms', priority.p99Ms, '<=', TARGETS.priorityP99Ms),
    webhooks && verdict('webhooks, events/s', webhooks.perSecond, '>=', webhooks.target),
    consoleOverview &&
      verdict(
        'console overview, API CPU added, % of one core',
        consoleOverview.addedApiCpuPercent,
        '<=',
        consoleOverview.target
      ),
    ...Object.entries(search?.filters ?? {}).map(([name, figure]) =>
      verdict(`search ${name} p95, ms`, figure.p95Ms, '<=', TARGETS.searchP95Ms)
    ),
    rss && verdict('peak RSS worker, MB', rss.workerMb, '<=', TARGETS.workerMb),
    rss && verdict('peak RSS API, MB', rss.apiMb, '<=', TARGETS.apiMb),
  ].filter((entry) => !!entry)

  return {
    bulkAccept: bulkAccept && { ...bulkAccept, ratio: ratio(bulkAccept) },
    dispatch: dispatch && { ...dispatch, ratio: ratio(dispatch) },
    priority: priority || undefined,
    webhooks: webhooks && { ...webhooks, ratio: ratio(webhooks) },
    consoleOverview: consoleOverview || undefined,
    search: search || undefined,
    rss: rss || undefined,
    targets: verdicts,
    ...info,
  }
}

interface SearchFilterResult {
  example: string
  p50Ms: number
  p95Ms: number
  queryP95Ms: number
  floorMs: number
  ratio: number
  meanRows: number
}

/**
 * Each search filter's medians over the runs, beside its floor measured in
 * the same runs: the same searches in the bench process (database and ORM)
 * plus GET /health (HTTP alone). `ratio` is floor / p95: 1 would mean the API
 * adds nothing to them.
 */
function searchResults(runs: SearchFigures[]) {
  const healthP95Ms = medianOf(runs, (run) => run.healthP95Ms)
  const names = Object.keys(runs[0].filters) as SearchFilterName[]
  const filters = Object.fromEntries(
    names.map((name) => {
      const of = (pick: (figure: SearchRun['filters'][SearchFilterName]) => number) =>
        medianOf(runs, (run) => pick(run.filters[name]))
      const p95Ms = of((figure) => figure.p95Ms)
      const queryP95Ms = of((figure) => figure.queryP95Ms)
      const floorMs = queryP95Ms + healthP95Ms
      return [
        name,
        {
          example: runs[0].filters[name].example,
          p50Ms: round(
            of((figure) => figure.p50Ms),
            1
          ),
          p95Ms: round(p95Ms, 1),
          queryP95Ms: round(queryP95Ms, 1),
          floorMs: round(floorMs, 1),
          ratio: round(floorMs / p95Ms, 3),
          meanRows: round(
            of((figure) => figure.meanRows),
            1
          ),
        },
      ]
    })
  ) as Record<SearchFilterName, SearchFilterResult>
  return {
    rows: runs[0].rows,
    healthP95Ms: round(healthP95Ms, 1),
    filters,
    target: TARGETS.searchP95Ms,
    runs,
  }
}

export type BenchResults = ReturnType<typeof buildResults>

function verdict(name: string, value: number, comparison: '>=' | '<=', target: number) {
  const met = comparison === '>=' ? value >= target : value <= target
  return { name, value, target: `${comparison} ${target.toLocaleString('en-US')}`, met }
}

function ratio(figure: { perSecond: number; ceilingPerSecond: number }) {
  return round(figure.perSecond / figure.ceilingPerSecond, 3)
}

/** The table printed at the end: one row per figure, medians of the runs */
export function tableRows(results: BenchResults) {
  const number = (value: number) => Math.round(value).toLocaleString('en-US')
  const percent = (value: number) => `${Math.round(value * 100)}%`
  const runsOf = (values: number[], unit = '') =>
    values.map((v) => `${number(v)}${unit}`).join(' / ')
  const met = (name: string) => {
    const entry = results.targets.find((target) => target.name === name)
    return entry ? `${entry.target}  ${entry.met ? 'met' : 'MISSED'}` : ''
  }
  const rows: string[][] = []
  const { bulkAccept, dispatch, priority, webhooks, consoleOverview, search, rss } = results
  if (bulkAccept) {
    rows.push([
      '1 bulk accept (recipients/s)',
      number(bulkAccept.perSecond),
      `${number(bulkAccept.ceilingPerSecond)} (addBulk ${number(bulkAccept.ceilings.addBulkPerSecond)}, COPY ${number(bulkAccept.ceilings.copyPerSecond)})`,
      percent(bulkAccept.ratio),
      met('bulk accept, recipients/s'),
      runsOf(bulkAccept.runs.map((run) => run.perSecond)),
    ])
  }
  if (dispatch) {
    rows.push([
      '2 dispatch (messages/s)',
      number(dispatch.perSecond),
      `${number(dispatch.ceilingPerSecond)} (no-op worker)`,
      percent(dispatch.ratio),
      met('dispatch, messages/s'),
      runsOf(dispatch.runs.map((run) => run.perSecond)),
    ])
  }
  if (priority) {
    const backlog = `P3 backlog drained at ${number(priority.backlogPerSecond)}/s`
    for (const [label, key, name] of [
      ['p50', 'p50Ms', 'priority P0 p50, ms'],
      ['p99', 'p99Ms', 'priority P0 p99, ms'],
    ] as const) {
      rows.push([
        `3 priority P0 ${label} (ms)`,
        String(priority[key]),
        backlog,
        '',
        met(name),
        priority.runs.map((run) => run[key].toFixed(1)).join(' / '),
      ])
    }
  }
  if (webhooks) {
    rows.push([
      '4 webhooks (events/s)',
      number(webhooks.perSecond),
      `${number(webhooks.ceilingPerSecond)} (bare receiver; API GET /health ${number(webhooks.apiNoopPerSecond)})`,
      percent(webhooks.ratio),
      met('webhooks, events/s'),
      runsOf(webhooks.runs.map((run) => run.perSecond)),
    ])
  }
  if (rss) {
    rows.push([
      '5 peak RSS worker (MB)',
      String(rss.workerMb),
      '',
      '',
      met('peak RSS worker, MB'),
      '',
    ])
    rows.push(['5 peak RSS API (MB)', String(rss.apiMb), '', '', met('peak RSS API, MB'), ''])
  }
  if (consoleOverview) {
    rows.push([
      '6 console overview (API CPU added, % of a core)',
      String(consoleOverview.addedApiCpuPercent),
      `idle ${consoleOverview.idleApiCpuPercent}%, 5 consoles ${consoleOverview.consolesApiCpuPercent}%`,
      '',
      met('console overview, API CPU added, % of one core'),
      consoleOverview.runs.map((run) => run.addedApiCpuPercent.toFixed(1)).join(' / '),
    ])
  }
  for (const [name, figure] of Object.entries(search?.filters ?? {})) {
    rows.push([
      `7 search ${name} p95 (ms)`,
      String(figure.p95Ms),
      `${figure.floorMs} (query ${figure.queryP95Ms}, GET /health ${search!.healthP95Ms})`,
      percent(figure.ratio),
      met(`search ${name} p95, ms`),
      search!.runs.map((run) => run.filters[name as SearchFilterName].p95Ms.toFixed(1)).join(' / '),
    ])
  }
  return rows
}

export const TABLE_HEAD = ['Scenario', 'Median', 'Ceiling', 'Ratio', 'Target', 'Runs']

export const CPU_TABLE_HEAD = [
  'CPU while timed, % of one core',
  'API',
  'Workers',
  'PostgreSQL',
  'Redis',
  'Bench (load, fakes)',
  'Other',
  'Machine',
]

/**
 * The second table: where the CPU went during each scenario (medians of the
 * runs), the workers summed; the machine's whole is cores × 100 %.
 */
export function cpuTableRows(results: BenchResults) {
  const scenarios = [
    ['1 bulk accept', results.bulkAccept],
    ['2 dispatch', results.dispatch],
    ['3 priority (P3 drain)', results.priority],
    ['4 webhooks', results.webhooks],
    ['6 console overview (5 consoles polling)', results.consoleOverview],
  ] as const
  const percent = (value = 0) => `${Math.round(value)}%`
  return scenarios.flatMap(([name, figures]) => {
    if (!figures) return []
    const shares = figures.cpuPercent
    const workers = Object.entries(shares)
      .filter(([group]) => group.startsWith('worker'))
      .reduce((sum, [, share]) => sum + share, 0)
    const row = [
      name,
      percent(shares.api),
      percent(workers),
      percent(shares.postgres),
      percent(shares['redis-server']),
      percent(shares.bench),
      percent(shares.other),
      percent(shares.machine),
    ]
    return [row]
  })
}
