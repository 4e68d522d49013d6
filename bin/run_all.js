/*
|--------------------------------------------------------------------------
| npm start: the API, one worker per priority and the scheduler
|--------------------------------------------------------------------------
|
| Ctrl-C (SIGINT) or SIGTERM reaches every process: the API stops listening,
| each worker finishes its in-flight jobs, then all exit.
|
*/
import concurrently from 'concurrently'

const tsNode = 'node --import=ts-node-maintained/register/esm --enable-source-maps'
const priorities = ['P0', 'P1', 'P2', 'P3', 'P4']

const { result } = concurrently(
  [
    { name: 'api', command: `${tsNode} bin/server.ts`, prefixColor: 'cyan' },
    ...priorities.map((priority) => ({
      name: priority.toLowerCase(),
      command: `node ace messages:work --priority=${priority}`,
      prefixColor: 'yellow',
    })),
    // Tenant webhooks out: their own queue, so a slow tenant receiver never holds up messages
    { name: 'webhooks', command: 'node ace webhooks:work', prefixColor: 'blue' },
    { name: 'scheduler', command: 'node ace scheduler:run', prefixColor: 'magenta' },
    // Fake providers, unless real ones are configured: the flow works with no account
    { name: 'sandbox', command: 'node ace sandbox --if-unconfigured', prefixColor: 'green' },
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
