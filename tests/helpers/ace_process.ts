import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import app from '@adonisjs/core/services/app'

/**
 * Runs a one-shot process of this app (`node <args>` in its root) to its end;
 * resolves with its exit code and everything it printed. A process still
 * running after `timeoutMs` is killed and fails the test with its output,
 * instead of keeping the test run alive.
 */
export function runAppProcess(args: string[], { env = {}, timeoutMs = 60_000 } = {}) {
  const child = spawn(process.execPath, args, {
    cwd: fileURLToPath(app.appRoot),
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  return new Promise<{ exitCode: number | null; output: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`node ${args.join(' ')} still running after ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    child.once('error', reject)
    child.once('close', (exitCode) => {
      clearTimeout(timer)
      resolve({ exitCode, output })
    })
  })
}

/** A one-shot `node ace <args>`, as a scheduler on another machine would run it */
export function runAce(args: string[], options: Parameters<typeof runAppProcess>[1] = {}) {
  return runAppProcess(['ace', ...args], options)
}
