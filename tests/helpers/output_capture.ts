/**
 * Runs `work` and returns what it wrote to stdout and stderr (an SDK's
 * console logging included) alongside its result; the writes still go out.
 */
export async function capturingOutput<T>(work: () => Promise<T>) {
  const written: string[] = []
  const streams = [process.stdout, process.stderr]
  const originals = streams.map((stream) => stream.write)
  for (const [index, stream] of streams.entries()) {
    const original = originals[index]
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest)
    }) as typeof stream.write
  }
  try {
    const result = await work()
    return { result, output: written.join('') }
  } finally {
    streams.forEach((stream, index) => (stream.write = originals[index]))
  }
}
