/*
|--------------------------------------------------------------------------
| JavaScript entrypoint for running ace commands
|--------------------------------------------------------------------------
|
| The TypeScript loader must be registered before anything else is imported,
| so bin/console is imported dynamically afterwards.
|
*/
import 'ts-node-maintained/register/esm'

await import('./bin/console.js')
