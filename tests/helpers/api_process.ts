import type { ChildProcess } from 'node:child_process'
import { freePort } from '#tests/helpers/ports'
import { ServiceProcess } from '#tests/helpers/service_process'

/**
 * The HTTP API as its own process (`bin/server.ts`, as `npm start` runs it),
 * on a free port: for tests that must cut what only that process sees.
 */
export class ApiProcess extends ServiceProcess {
  private constructor(
    child: ChildProcess,
    readonly url: string
  ) {
    super(child)
  }

  static async start(env: Record<string, string> = {}) {
    const port = await freePort()
    return ServiceProcess.launch((child) => new ApiProcess(child, `http://127.0.0.1:${port}`), {
      args: ['--import=ts-node-maintained/register/esm', '--enable-source-maps', 'bin/server.ts'],
      readyWhen: 'started HTTP server',
      kind: 'API',
      name: 'the API',
      env: { ...env, HOST: '127.0.0.1', PORT: String(port) },
    })
  }

  /** A JSON request to the API; resolves with the status and the parsed reply. */
  async request(method: string, path: string, headers: Record<string, string>, body?: unknown) {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : null }
  }
}
