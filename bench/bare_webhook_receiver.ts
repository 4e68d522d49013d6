import { once } from 'node:events'
import { Worker } from 'node:worker_threads'

/**
 * What the webhooks scenario is measured against: the least a signed
 * callback costs on this machine. A bare node:http server on a thread of its
 * own (the API too has one thread for JavaScript) reads each callback, checks
 * its RSA SHA-256 signature and parses its JSON as the API does, and answers
 * 200, with no framework, database or queue behind it. It needs nothing of
 * the app, so the thread runs this plain CommonJS source.
 */
const RECEIVER_SOURCE = `
const { createServer } = require('node:http')
const { createPublicKey, verify } = require('node:crypto')
const { parentPort, workerData } = require('node:worker_threads')

const key = createPublicKey({
  key: Buffer.from(workerData.publicKey, 'base64'),
  format: 'der',
  type: 'spki',
})
const server = createServer((request, response) => {
  const chunks = []
  request.on('data', (chunk) => chunks.push(chunk))
  request.on('end', () => {
    const body = Buffer.concat(chunks)
    const signature = Buffer.from(String(request.headers['x-postal-signature-256']), 'base64')
    const valid = verify('sha256', body, key, signature) && JSON.parse(body.toString('utf8'))
    response.writeHead(valid ? 200 : 401, { 'content-type': 'application/json' })
    response.end('{"received":true}')
  })
})
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port))
`

/** Runs `use` with the base URL of a bare receiver that trusts `publicKey` (base64 SPKI DER). */
export async function withBareWebhookReceiver<T>(
  publicKey: string,
  use: (baseUrl: string) => Promise<T>
): Promise<T> {
  const thread = new Worker(RECEIVER_SOURCE, { eval: true, workerData: { publicKey } })
  try {
    const [port] = (await once(thread, 'message')) as [number]
    return await use(`http://127.0.0.1:${port}`)
  } finally {
    await thread.terminate()
  }
}
