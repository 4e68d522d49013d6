import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { Priority } from '#enums/priority'
import { MessageQueues } from '#messaging/queueing/message_queues'
import { emptyQueues } from '#tests/helpers/queues'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

test.group('A job that cannot run fails visibly', (group) => {
  let worker: WorkerProcess

  group.setup(async () => {
    await emptyQueues()
    worker = await WorkerProcess.start('P2')
    return async () => {
      await worker.stop()
    }
  })

  test('{name}: the job ends in the failed set, never completed')
    .with([
      {
        name: 'a job module that does not exist',
        jobName: app.makeURL('app/jobs/vanished_job.ts').href,
      },
      { name: 'a module outside the app’s jobs', jobName: 'file:///etc/passwd' },
    ])
    .run(async ({ assert }, { jobName }) => {
      const queue = new MessageQueues().queue(Priority.P2)
      const job = await queue.add(jobName, { messageId: 'n/a' })

      const state = await waitUntil('the job to finish', async () => {
        const current = await queue.getJobState(job.id!)
        return ['failed', 'completed', 'unknown'].includes(current) ? current : null
      })

      assert.equal(state, 'failed')
      const failed = await queue.getJob(job.id!)
      assert.match(failed!.failedReason, /cannot be loaded|not one of this application's jobs/)
    })
})
