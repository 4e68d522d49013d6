import type { JobsOptions } from 'bullmq'
import queue from '@rlanz/bull-queue/services/main'
import { Priority, PRIORITIES } from '#enums/priority'
import SendMessageJob from '#jobs/send_message_job'

export interface QueuedMessage {
  id: string
  priority: Priority
  /** Milliseconds to wait before the job may run (scheduled sends) */
  delayMs?: number
}

export function queueNameFor(priority: Priority) {
  return `messages-${priority.toLowerCase()}`
}

/**
 * The five priority queues. A job carries only the message id and uses it as
 * its job id, so one message has at most one live job.
 */
export class MessageQueues {
  /**
   * Enqueue messages already committed to PostgreSQL: one addBulk per
   * priority per chunk.
   */
  async enqueue(messages: QueuedMessage[], chunkSize = 1000) {
    for (const priority of PRIORITIES) {
      const jobs = messages
        .filter((message) => message.priority === priority)
        .map((message) => ({
          name: SendMessageJob.$$filepath,
          data: { messageId: message.id },
          opts: this.jobOptions(message),
        }))
      for (let start = 0; start < jobs.length; start += chunkSize) {
        await this.queue(priority).addBulk(jobs.slice(start, start + chunkSize))
      }
    }
  }

  /** Remove a message's pending job, whichever queue it is on. */
  async discard(messageId: string) {
    await Promise.all(PRIORITIES.map((priority) => this.queue(priority).remove(messageId)))
  }

  /** Remove the pending jobs of these messages from one priority's queue. */
  async discardFrom(priority: Priority, messageIds: string[]) {
    const target = this.queue(priority)
    await Promise.all(messageIds.map((id) => target.remove(id)))
  }

  /**
   * Run these messages' delayed jobs now. A job no longer delayed (running,
   * or gone) is left as it is.
   */
  async promote(messages: Array<{ id: string; priority: Priority }>) {
    await Promise.all(
      messages.map(async (message) => {
        const job = await this.queue(message.priority).getJob(message.id)
        if (!job || !(await job.isDelayed())) return
        await job.promote().catch(async (error) => {
          if (await job.isDelayed()) throw error
        })
      })
    )
  }

  /**
   * Stop (or restart) the workers of these priorities taking new jobs, in
   * every process: the flag lives in Redis. Jobs in flight finish.
   */
  async pause(priorities: Priority[]) {
    await Promise.all(priorities.map((priority) => this.queue(priority).pause()))
  }

  async resume(priorities: Priority[]) {
    await Promise.all(priorities.map((priority) => this.queue(priority).resume()))
  }

  async isPaused(priority: Priority) {
    return this.queue(priority).isPaused()
  }

  queue(priority: Priority) {
    return queue.getOrSet(queueNameFor(priority))
  }

  async counts() {
    const entries = await Promise.all(
      PRIORITIES.map(async (priority) => {
        const counts = await this.queue(priority).getJobCounts(
          'waiting',
          'prioritized',
          'active',
          'delayed',
          'failed',
          'paused'
        )
        return {
          priority,
          queue: queueNameFor(priority),
          waiting: counts.waiting + counts.prioritized + counts.paused,
          active: counts.active,
          delayed: counts.delayed,
          failed: counts.failed,
        }
      })
    )
    return entries
  }

  private jobOptions(message: QueuedMessage): JobsOptions {
    return {
      jobId: message.id,
      ...(message.delayMs && message.delayMs > 0 ? { delay: message.delayMs } : {}),
    }
  }
}
