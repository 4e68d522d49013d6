import { PRIORITIES } from '#enums/priority'
import { MessageQueues } from '#messaging/queueing/message_queues'

/** Empty every priority queue, so a test counts only its own jobs. */
export async function emptyQueues() {
  const queues = new MessageQueues()
  await Promise.all(
    PRIORITIES.map((priority) => queues.queue(priority).obliterate({ force: true }))
  )
}
