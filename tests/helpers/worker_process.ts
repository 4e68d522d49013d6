import { ServiceProcess } from '#tests/helpers/service_process'

/**
 * A real worker process (`node ace messages:work` or `webhooks:work`), as production runs it.
 */
export class WorkerProcess extends ServiceProcess {
  static start(priority: string, env: Record<string, string> = {}) {
    return WorkerProcess.#spawn(['messages:work', `--priority=${priority}`], `the ${priority}`, env)
  }

  /** `node ace webhooks:work`: the tenant-webhooks queue */
  static startTenantWebhooks(env: Record<string, string> = {}) {
    return WorkerProcess.#spawn(['webhooks:work'], 'the tenant webhooks', env)
  }

  static #spawn(command: string[], name: string, env: Record<string, string>) {
    return ServiceProcess.launch((child) => new WorkerProcess(child), {
      args: ['ace', ...command],
      readyWhen: 'worker started',
      kind: 'worker',
      name: `${name} worker`,
      env,
    })
  }
}
