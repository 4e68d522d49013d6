// Layout check run by `npm run lint`: long files in app/ must say why at their top, and no import
// cycle may run between files or between folders of app/. `node bin/check_layout.js --help` says more.
import { readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { cruise } from 'dependency-cruiser'

const MAX_LINES = 300
const REASON = /^\/\/ Over 300 lines: \S/

const HELP = `Usage: node bin/check_layout.js

Fails (exit 1) when, in app/:
  - a .ts file has more than ${MAX_LINES} lines and its first line is not a one-line reason:
      // Over 300 lines: <why this file is better whole>
  - files import each other in a cycle, or
  - folders import each other in a cycle (a folder is a file's directory, e.g. app/messaging/outbox:
    folder A imports B ... imports A).
Only imports that run count: \`import type\` is erased at build time, so it cannot change load order
and does not make one folder need another at run time.`

/** The import graph of app/: one entry per file, runtime imports only, each with its import text. */
async function runtimeImports() {
  const { output } = await cruise(
    ['app'],
    { tsPreCompilationDeps: true, includeOnly: '^app/', tsConfig: { fileName: 'tsconfig.json' } },
    // package.json "imports" map #messaging/x to ./app/messaging/x.js; the file on disk is x.ts.
    { extensionAlias: { '.js': ['.ts', '.js'] } }
  )
  const graph = new Map()
  for (const module of output.modules) {
    const imports = module.dependencies
      .filter((dependency) => !dependency.dependencyTypes.includes('type-only'))
      .filter((dependency) => dependency.resolved.startsWith('app/'))
      .map((dependency) => ({ to: dependency.resolved, text: dependency.module }))
    graph.set(module.source, imports)
  }
  return graph
}

/** Strongly connected components with more than one node (Tarjan). */
function cycles(nodes, edgesOf) {
  let counter = 0
  const index = new Map()
  const low = new Map()
  const stack = []
  const onStack = new Set()
  const found = []
  const visit = (node) => {
    index.set(node, counter)
    low.set(node, counter)
    counter++
    stack.push(node)
    onStack.add(node)
    for (const next of edgesOf(node)) {
      if (!index.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node), low.get(next)))
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), index.get(next)))
      }
    }
    if (low.get(node) !== index.get(node)) return
    const component = []
    let member
    do {
      member = stack.pop()
      onStack.delete(member)
      component.push(member)
    } while (member !== node)
    if (component.length > 1) found.push(component)
  }
  for (const node of nodes) if (!index.has(node)) visit(node)
  return found
}

/** The shortest path from `from` to `to` inside `allowed`, as a list of nodes. */
function shortestPath(from, to, edgesOf, allowed) {
  const previous = new Map([[from, null]])
  const queue = [from]
  while (queue.length > 0) {
    const node = queue.shift()
    if (node === to) break
    for (const next of edgesOf(node)) {
      if (!allowed.has(next) || previous.has(next)) continue
      previous.set(next, node)
      queue.push(next)
    }
  }
  const path = [to]
  while (path[0] !== from) path.unshift(previous.get(path[0]))
  return path
}

/** One shortest cycle through each edge of a component, each printed once. */
function describeCycles(component, edgesOf, describeEdge) {
  const members = new Set(component)
  const seen = new Set()
  const lines = []
  for (const node of component) {
    for (const next of edgesOf(node)) {
      if (!members.has(next)) continue
      const loop = [node, ...shortestPath(next, node, edgesOf, members)]
      const key = [...loop.slice(0, -1)].sort().join(' ')
      if (seen.has(key)) continue
      seen.add(key)
      lines.push(`  ${loop.join(' -> ')}`)
      for (let i = 0; i < loop.length - 1; i++)
        lines.push(`      ${describeEdge(loop[i], loop[i + 1])}`)
    }
  }
  return lines
}

async function longFilesWithoutReason(files) {
  const problems = []
  for (const file of files.filter((name) => name.endsWith('.ts'))) {
    const lines = (await readFile(file, 'utf8')).replace(/\n$/, '').split('\n')
    if (lines.length > MAX_LINES && !REASON.test(lines[0])) {
      problems.push(`  ${file}: ${lines.length} lines`)
    }
  }
  return problems
}

function fileCycles(graph) {
  const edgesOf = (file) => graph.get(file).map((edge) => edge.to)
  return cycles([...graph.keys()], edgesOf).flatMap((component) =>
    describeCycles(component, edgesOf, (from, to) => {
      const edge = graph.get(from).find((candidate) => candidate.to === to)
      return `${from} imports '${edge.text}'`
    })
  )
}

function folderCycles(graph) {
  const imports = new Map()
  for (const [file, edges] of graph) {
    for (const edge of edges) {
      const from = dirname(file)
      const to = dirname(edge.to)
      if (from === to) continue
      const key = `${from} ${to}`
      if (!imports.has(key)) imports.set(key, [])
      imports.get(key).push(`${file} imports '${edge.text}'`)
    }
  }
  const folders = [...new Set([...graph.keys()].map((file) => dirname(file)))]
  const targets = new Map()
  for (const key of imports.keys()) {
    const [from, to] = key.split(' ')
    targets.set(from, [...(targets.get(from) ?? []), to])
  }
  const edgesOf = (folder) => targets.get(folder) ?? []
  return cycles(folders, edgesOf).flatMap((component) =>
    describeCycles(component, edgesOf, (from, to) => {
      const [first, ...more] = imports.get(`${from} ${to}`)
      return more.length > 0 ? `${first} (and ${more.length} more)` : first
    })
  )
}

if (process.argv.includes('--help')) {
  console.log(HELP)
  process.exit(0)
}

const graph = await runtimeImports()
const reports = [
  [
    `Files over ${MAX_LINES} lines whose first line is not "// Over 300 lines: <reason>"`,
    await longFilesWithoutReason([...graph.keys()]),
  ],
  ['Import cycles between files of app/ (runtime imports)', fileCycles(graph)],
  ['Import cycles between folders of app/ (runtime imports)', folderCycles(graph)],
]
let failed = false
for (const [title, problems] of reports) {
  if (problems.length === 0) continue
  failed = true
  console.error(`${title}:\n${problems.join('\n')}\n`)
}
if (failed) {
  console.error('Layout check failed (node bin/check_layout.js --help says what it checks).')
  process.exit(1)
}
console.log(
  `Layout check: ${graph.size} files in app/, none too long without a reason, no import cycles.`
)
