import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import { createGzip, gunzip } from 'node:zlib'

const gunzipAsync = promisify(gunzip)

/**
 * One line of an archive file: a message row and its delivery_events rows,
 * every column as PostgreSQL's to_jsonb renders it (timestamps keep their
 * microseconds).
 */
export interface ArchivedMessage {
  message: { id: string } & Record<string, unknown>
  events: Record<string, unknown>[]
}

/** A file written and synced to the staging folder, not yet in its day's folder */
export interface StagedFile {
  stagedPath: string
  finalPath: string
}

const STAGING = '.staging'
const TEMP_SUFFIX = '.tmp'
/** Separates the day from the file name in a staged file's name */
const DAY_SEPARATOR = '--'

/**
 * The archive on disk: `<root>/<day>/messages-<first message id>.jsonl.gz`,
 * gzip-compressed JSON Lines (one ArchivedMessage per line).
 *
 * A file reaches its day's folder whole or not at all. It is written to
 * `<root>/.staging/` as a temp file, fsynced and renamed (staged) before the
 * archiver deletes its rows, and moved to its day only once that delete has
 * committed. Whatever a crash leaves in staging says how far it got: a temp
 * file was never complete, a staged file is complete and either its rows are
 * still in PostgreSQL (delete not committed) or they are gone (committed).
 */
export class ArchiveDirectory {
  #staging: string

  constructor(private root: string) {
    this.#staging = join(root, STAGING)
  }

  /** Writes the records to a staged file, durably. */
  async stage(day: string, records: ArchivedMessage[]): Promise<StagedFile> {
    const name = `messages-${records[0].message.id}.jsonl.gz`
    const file = {
      stagedPath: join(this.#staging, `${day}${DAY_SEPARATOR}${name}`),
      finalPath: join(this.root, day, name),
    }
    await mkdir(this.#staging, { recursive: true })
    await writeWhole(file.stagedPath, records)
    return file
  }

  /** Every archived file (day folders only: staging belongs to a run in progress). */
  async files(): Promise<string[]> {
    const days = await readdir(this.root, { withFileTypes: true }).catch((error) => {
      if (error.code === 'ENOENT') return []
      throw error
    })
    const files: string[] = []
    for (const day of days) {
      if (!day.isDirectory() || day.name === STAGING) continue
      const names = await readdir(join(this.root, day.name))
      files.push(
        ...names
          .filter((name) => name.endsWith('.jsonl.gz'))
          .map((name) => join(this.root, day.name, name))
      )
    }
    return files.sort()
  }

  /** Replaces an archived file's records, atomically: readers see the old file or the new one. */
  async rewrite(path: string, records: ArchivedMessage[]) {
    await writeWhole(path, records)
  }

  /** Moves a staged file to its day's folder; refuses to overwrite an archived file. */
  async finalize(file: StagedFile) {
    const dayFolder = dirname(file.finalPath)
    await mkdir(dayFolder, { recursive: true })
    if (await exists(file.finalPath)) {
      throw new Error(`${file.finalPath} is already archived: left ${file.stagedPath} for a person`)
    }
    await rename(file.stagedPath, file.finalPath)
    await syncPath(dayFolder)
    await syncPath(this.#staging)
  }

  async discard(file: StagedFile) {
    await unlink(file.stagedPath)
  }

  /** Complete files left in staging by a run that stopped; temp files are removed. */
  async leftovers(): Promise<StagedFile[]> {
    const names = await readdir(this.#staging).catch((error) => {
      if (error.code === 'ENOENT') return []
      throw error
    })
    const staged: StagedFile[] = []
    for (const name of names) {
      if (name.endsWith(TEMP_SUFFIX)) {
        await unlink(join(this.#staging, name))
        continue
      }
      const [day, fileName] = name.split(DAY_SEPARATOR)
      staged.push({
        stagedPath: join(this.#staging, name),
        finalPath: join(this.root, day, fileName),
      })
    }
    return staged
  }

  /** Every record of an archive file; fails on a truncated or corrupt one. */
  static async read(path: string): Promise<ArchivedMessage[]> {
    const unzipped = await gunzipAsync(await readFile(path))
    return unzipped
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line))
  }
}

/**
 * Writes a temp file beside `path` (a name of its own, so two writers never
 * share one), syncs it and renames it over `path`, then syncs the folder.
 */
async function writeWhole(path: string, records: ArchivedMessage[]) {
  const temp = `${path}.${randomUUID()}${TEMP_SUFFIX}`
  const lines = Readable.from(records.map((record) => `${JSON.stringify(record)}\n`))
  await pipeline(lines, createGzip(), createWriteStream(temp))
  await syncPath(temp)
  await rename(temp, path)
  await syncPath(dirname(path))
}

/** fsync a file or a folder (a rename is durable once its folder is synced). */
async function syncPath(path: string) {
  const handle = await open(path, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function exists(path: string) {
  return stat(path).then(
    () => true,
    (error) => {
      if (error.code === 'ENOENT') return false
      throw error
    }
  )
}
