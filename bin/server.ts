/*
|--------------------------------------------------------------------------
| HTTP server entry point
|--------------------------------------------------------------------------
*/
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'

await import('reflect-metadata')
const { Ignitor, prettyPrintError } = await import('@adonisjs/core')

const APP_ROOT = new URL('../', import.meta.url)

const IMPORTER = (filePath: string) => {
  if (filePath.startsWith('./') || filePath.startsWith('../')) {
    return import(new URL(filePath, APP_ROOT).href)
  }
  return import(filePath)
}

new Ignitor(APP_ROOT, { importer: IMPORTER })
  .tap((app) => {
    app.booting(async () => {
      await import('#start/env')
    })
    app.listen('SIGTERM', () => app.terminate())
    app.listen('SIGINT', () => app.terminate())
  })
  .httpServer()
  .start((handler) =>
    createServer((req, res) => {
      // The id of the request's log lines (config/app.ts generateRequestId): a UUID from Node's
      // pooled entropy, where AdonisJS would hash a cuid2 with SHA-3 for every request
      req.headers['x-request-id'] ??= randomUUID()
      return handler(req, res)
    })
  )
  .catch((error) => {
    process.exitCode = 1
    prettyPrintError(error)
  })
