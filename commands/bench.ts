import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import { EnvParser } from '@adonisjs/core/env'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** The resources .env.bench gives the benchmark, which must be the ones this process runs on */
const OWN_RESOURCES = ['DB_DATABASE', 'REDIS_DB', 'QUEUE_PREFIX', 'PORT'] as const

export default class Bench extends BaseCommand {
  static commandName = 'bench'
  static description = 'Benchmark the running service against issue 7 (use `npm run bench`)'
  static help = [
    '`npm run bench` (bin/bench) exports .env.bench (its own database, Redis index, port and',
    'queue prefix), migrates that database fresh and runs this command. It empties the messages',
    'tables and queues between runs, so it refuses to run on any other resources.',
    '  BENCH_SCALE=0.02 BENCH_RUNS=1 npm run bench          a quick smoke run',
    '  npm run bench -- --scenarios=dispatch --profile      CPU profiles in tmp/bench/profiles',
  ]

  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'Multiply every scenario size by this (BENCH_SCALE)', default: 1 })
  declare scale: number

  @flags.number({ description: 'Runs per scenario; medians are reported (BENCH_RUNS)', default: 3 })
  declare runs: number

  @flags.string({
    description:
      'Comma-separated scenarios to run: bulkAccept,dispatch,priority,webhooks,consoleOverview,search (all)',
  })
  declare scenarios?: string

  @flags.boolean({ description: 'Run every service process with node --cpu-prof' })
  declare profile: boolean

  async run() {
    const { runBenchmark, SCENARIOS } = await import('#bench/benchmark')
    const { CPU_TABLE_HEAD, TABLE_HEAD, cpuTableRows, tableRows } = await import('#bench/report')

    const resources = await this.#benchResources()
    if (!resources) return
    const scenarios = this.scenarios
      ? this.scenarios.split(',').map((name) => name.trim())
      : SCENARIOS
    const unknown = scenarios.filter((name) => !SCENARIOS.includes(name as never))
    if (unknown.length > 0 || !(this.scale > 0) || !(this.runs >= 1)) {
      this.logger.error(
        `Scale must be above 0, runs at least 1, scenarios among ${SCENARIOS.join(', ')}` +
          (unknown.length > 0 ? ` (not ${unknown.join(', ')})` : '')
      )
      this.exitCode = 1
      return
    }

    const appRoot = fileURLToPath(this.app.appRoot)
    const results = await runBenchmark({
      appRoot,
      apiUrl: this.app.config.get<string>('app.appUrl'),
      postalPort: Number(resources.BENCH_POSTAL_PORT),
      scale: this.scale,
      runs: Math.floor(this.runs),
      scenarios: scenarios as typeof SCENARIOS,
      profile: this.profile,
      log: (line) => this.logger.info(line),
    })

    const tables: Array<[string[], string[][]]> = [
      [TABLE_HEAD, tableRows(results)],
      [CPU_TABLE_HEAD, cpuTableRows(results)],
    ]
    for (const [head, rows] of tables) {
      const table = this.ui.table().head(head)
      for (const row of rows) table.row(row)
      table.render()
    }
    const path = this.app.makePath('bench', 'results.json')
    await writeFile(path, `${JSON.stringify(results, null, 2)}\n`)
    this.logger.success(`Written to ${path}`)
  }

  /**
   * .env.bench's values, once it is certain this process runs on them: the
   * benchmark wipes what it runs on.
   */
  async #benchResources() {
    const { default: env } = await import('#start/env')
    const file = await readFile(this.app.makePath('.env.bench'), 'utf8')
    const resources = await new EnvParser(file, { ignoreProcessEnv: true }).parse()
    const foreign = OWN_RESOURCES.filter((name) => String(env.get(name)) !== resources[name])
    if (foreign.length > 0) {
      this.logger.error(
        `Not the benchmark's own ${foreign.join(', ')}: run it with \`npm run bench\`, ` +
          'which exports .env.bench (the benchmark empties the messages tables and queues)'
      )
      this.exitCode = 1
      return null
    }
    return resources
  }
}
