import { createServer, connect, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy in front of a server (PostgreSQL) that a test can cut: open
 * connections are destroyed and new ones refused, which is how a stopped
 * server looks from its clients, without stopping a server others share.
 */
export class TcpProxy {
  #server: Server | null = null
  #sockets = new Set<Socket>()
  #port = 0

  constructor(private target: { host: string; port: number }) {}

  get port() {
    return this.#port
  }

  async start() {
    await this.#listen(this.#port)
    return this
  }

  /** Drop every open connection and stop listening (clients get ECONNREFUSED). */
  async cut() {
    const server = this.#server
    this.#server = null
    for (const socket of this.#sockets) socket.destroy()
    this.#sockets.clear()
    if (server) await new Promise((resolve) => server.close(resolve))
  }

  /** Listen again on the same port. */
  async restore() {
    await this.#listen(this.#port)
  }

  async stop() {
    await this.cut()
  }

  async #listen(port: number) {
    const server = createServer((client) => this.#pipe(client))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve())
    })
    this.#server = server
    this.#port = (server.address() as { port: number }).port
  }

  #pipe(client: Socket) {
    const upstream = connect(this.target.port, this.target.host)
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket)
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
      socket.on('close', () => this.#sockets.delete(socket))
    }
    client.pipe(upstream)
    upstream.pipe(client)
  }
}
