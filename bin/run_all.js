/*
|--------------------------------------------------------------------------
| npm start: the API, one worker per priority and the scheduler
|--------------------------------------------------------------------------
|
| Ctrl-C (SIGINT) or SIGTERM reaches every process: the API stops listening,
| each worker finishes its in-flight jobs, then all exit.
|
*/
import { existsSync, readFileSync } from 'node:fs'
import concurrently from 'concurrently'

const tsNode = 'node --import=ts-node-maintained/register/esm --enable-source-maps'
const priorities = ['P0', 'P1', 'P2', 'P3', 'P4']
/**
 * V8 heap budgets (MB of old space): without one, V8 lets its heap grow toward
 * a share of the machine's memory before it collects, and the resident size
 * follows. A worker holds at most its concurrency's messages; the API a few
 * 10,000-recipient bulk requests. The TypeScript compiler that runs the
 * sources here needs its share on top (a build, as the bench runs, does not).
 */
const API_HEAP = '--max-old-space-size=384'
const WORKER_HEAP = '--max-old-space-size=256'

/** NODE_ENV as the processes will see it: the environment's, else .env's */
function nodeEnv() {
  if (process.env.NODE_ENV) return process.env.NODE_ENV
  const dotEnv = existsSync('.env') ? readFileSync('.env', 'utf8') : ''
  return /^NODE_ENV=(.*)$/m.exec(dotEnv)?.[1].trim()
}

// The sandbox refuses to run in production (its fakes accept anything); the rest runs without it
const production = nodeEnv() === 'production'
if (production) {
  console.log('NODE_ENV=production: the sandbox is not started')
}

const { result } = concurrently(
  [
    { name: 'api', command: `${tsNode} ${API_HEAP} bin/server.ts`, prefixColor: 'cyan' },
    ...priorities.map((priority) => ({
      name: priority.toLowerCase(),
      command: `node ${WORKER_HEAP} ace messages:work --priority=${priority}`,
      prefixColor: 'yellow',
    })),
    // Tenant webhooks out: their own queue, so a slow tenant receiver never holds up messages
    { name: 'webhooks', command: 'node ace webhooks:work', prefixColor: 'blue' },
    { name: 'scheduler', command: 'node ace scheduler:run', prefixColor: 'magenta' },
    // Fake providers, unless real ones are configured: the flow works with no account
    ...(production
      ? []
      : [{ name: 'sandbox', command: 'node ace sandbox --if-unconfigured', prefixColor: 'green' }]),
  ],
  {
    // A crashed process is restarted a few times before the whole service stops
    restartTries: 3,
    restartDelay: 1000,
    killOthers: ['failure'],
    killSignal: 'SIGTERM',
    prefix: 'name',
  }
)

result.then(
  () => process.exit(0),
  () => process.exit(1)
)
