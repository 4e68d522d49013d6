import fc from 'fast-check'

/** One generated request, sent as is */
export interface HostileRequest {
  path: string
  headers: Record<string, string>
  body: string | Uint8Array
  /** What was generated, for failure reports */
  label: string
}

/** A body and the headers that go with it once signed (or wrapped) as the sender would */
export interface SignedBody {
  body: string
  headers: Record<string, string>
}

/** An endpoint to attack and what a genuine request to it looks like. */
export interface HostileTarget {
  path: string
  /** Genuine bodies: JSON objects, or form fields when `form` is set */
  valid: Array<Record<string, unknown>>
  form?: boolean
  /** Headers of an authenticated API call; omitted for webhooks */
  authorization?: string
  /** Sign (or wrap) a body as the provider would, so hostile content gets past the signature */
  sign?: (body: string) => SignedBody
  /** Plausible but wrong signature headers */
  forge?: fc.Arbitrary<Record<string, string>>
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=hostile',
  'application/xml',
  'application/octet-stream',
  'application/vnd.api+json',
  '',
]

/** Over API_BODY_LIMIT (5 MB) */
const OVERSIZED_BYTES = 5 * 1024 * 1024 + 4096

/** Values that break code expecting another type */
const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.integer({ min: 5_000, max: 300_000 }).map((length) => 'x'.repeat(length)),
  fc.constantFrom(null, true, 0, -1, 1e308, -0.5, [], {}, '', ' ', '\u0000', '__proto__', [[[]]])
)

type Path = Array<string | number>

function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix]
  const entries = Array.isArray(value)
    ? value.map((item, index) => [index, item] as const)
    : Object.entries(value)
  return [prefix, ...entries.flatMap(([key, child]) => pathsOf(child, [...prefix, key]))]
}

/** A copy of `base` with the value at `path` replaced (undefined deletes it). */
function withValueAt(base: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value
  const [key, ...rest] = path
  const copy: any = Array.isArray(base) ? [...base] : { ...(base as object) }
  if (rest.length === 0 && value === undefined) {
    delete copy[key]
  } else {
    copy[key] = withValueAt(copy[key], rest, value)
  }
  return copy
}

/** A genuine body with one to three fields deleted, retyped, blown up or added. */
function mutated(valid: Array<Record<string, unknown>>) {
  return fc.constantFrom(...valid).chain((base) =>
    fc
      .array(
        fc.record({
          path: fc.constantFrom(...pathsOf(base)),
          extraKey: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
          value: fc.option(hostileValue, { nil: undefined, freq: 4 }),
        }),
        { minLength: 1, maxLength: 3 }
      )
      .map((mutations) =>
        mutations.reduce<unknown>(
          (body, { path, extraKey, value }) =>
            withValueAt(body, extraKey === undefined ? path : [...path, extraKey], value),
          base
        )
      )
  )
}

/** JSON text for any value fast-check makes; what JSON cannot say becomes its string */
function serialized(value: unknown) {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}

function formBody(value: unknown) {
  const fields: Array<[string, unknown]> =
    value && typeof value === 'object' ? Object.entries(value) : [['value', value]]
  const encoded = fields.map(([key, field]): [string, string] => [
    key,
    typeof field === 'string' ? field : serialized(field),
  ])
  return new URLSearchParams(encoded).toString()
}

/**
 * Bodies: mutated genuine ones, random JSON, anything, raw text and bytes,
 * huge ones, and (rarely: 5 MB each) ones over the body limit.
 */
function hostileBody(target: HostileTarget) {
  const encode = (value: unknown) => (target.form ? formBody(value) : serialized(value))
  const padded = target.valid[0]
  return fc.oneof(
    {
      weight: 60,
      arbitrary: mutated(target.valid).map((value) => ({ kind: 'mutated', body: encode(value) })),
    },
    {
      weight: 20,
      arbitrary: fc.json({ maxDepth: 4 }).map((text) => ({ kind: 'json', body: text })),
    },
    {
      weight: 20,
      arbitrary: fc
        .anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true })
        .map((value) => ({ kind: 'anything', body: encode(value) })),
    },
    {
      weight: 10,
      arbitrary: fc
        .string({ unit: 'binary', maxLength: 300 })
        .map((text) => ({ kind: 'text', body: text })),
    },
    {
      weight: 10,
      arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ kind: 'bytes', body: bytes })),
    },
    {
      weight: 4,
      arbitrary: fc.integer({ min: 100_000, max: 1_500_000 }).map((length) => ({
        kind: 'huge',
        body: encode({ ...padded, padding: 'y'.repeat(length) }),
      })),
    },
    {
      weight: 1,
      arbitrary: fc.constant(null).map(() => ({
        kind: 'oversized',
        body: encode({ ...padded, padding: 'z'.repeat(OVERSIZED_BYTES) }),
      })),
    }
  )
}

/**
 * Requests to `targets`: hostile bodies under right and wrong content types,
 * with valid, missing or forged credentials. A webhook body is often signed
 * for real, so its content (not only its signature) meets the parsers.
 */
export function hostileRequests(targets: HostileTarget[]): fc.Arbitrary<HostileRequest> {
  return fc.constantFrom(...targets).chain((target) =>
    fc
      .record({
        body: hostileBody(target),
        contentType: fc.oneof(
          {
            weight: 4,
            arbitrary: fc.constant(
              target.form ? 'application/x-www-form-urlencoded' : 'application/json'
            ),
          },
          { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) }
        ),
        credentials: fc.constantFrom('genuine', 'genuine', 'genuine', 'forged', 'none'),
        forged: target.forge ?? fc.constant({}),
        junkAuthorization: fc.constantFrom(
          'Bearer ',
          'Bearer oat_',
          'Basic Zm9vOmJhcg==',
          'Bearer ' + 'k'.repeat(5000)
        ),
      })
      .map(({ body: { kind, body }, contentType, credentials, forged, junkAuthorization }) => {
        const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {}
        let sent: string | Uint8Array = body
        if (target.authorization) {
          if (credentials === 'genuine') headers.authorization = target.authorization
          if (credentials === 'forged') headers.authorization = junkAuthorization
        } else if (credentials === 'genuine' && target.sign && typeof body === 'string') {
          const signed = target.sign(body)
          sent = signed.body
          Object.assign(headers, signed.headers)
        } else if (credentials === 'forged') {
          Object.assign(headers, forged)
        }
        const request: HostileRequest = {
          path: target.path,
          headers,
          body: sent,
          label: `${kind} body, ${contentType || 'no content type'}, ${credentials} credentials`,
        }
        // fast-check prints a counterexample with this: bodies can be megabytes
        return Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) })
      })
  )
}

/** The request in a few lines, its body cut short */
export function describeRequest({ path, label, headers, body }: HostileRequest) {
  const shown =
    typeof body === 'string' ? JSON.stringify(body.slice(0, 400)) : `<${body.length} bytes>`
  const size = typeof body === 'string' ? body.length : body.length
  return `POST ${path} (${label}, ${size} characters)\n  headers: ${JSON.stringify(headers).slice(0, 400)}\n  body: ${shown}`
}
