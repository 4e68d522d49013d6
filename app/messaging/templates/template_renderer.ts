import { performance } from 'node:perf_hooks'
import { Liquid, LiquidError, UndefinedVariableError, type Template } from 'liquidjs'
import {
  MissingTemplateVariablesException,
  TemplateRenderBudgetException,
  TemplateRenderException,
  TemplateValidationException,
  type TemplateProblem,
} from '#exceptions/template_exceptions'

/** The three parts of a template, as source or as rendered. */
export interface TemplateParts {
  subject: string | null
  html: string | null
  text: string | null
}

export type TemplatePart = keyof TemplateParts

const PARTS: TemplatePart[] = ['subject', 'html', 'text']

export interface RenderLimits {
  /** Longest one render of the three parts may take */
  renderMs: number
  /** liquidjs allocation units (characters and array items created) per part and render */
  memory: number
  /** Longest all renders of one compiled template may take together: one bulk request */
  budgetMs: number
}

const DEFAULT_LIMITS: RenderLimits = { renderMs: 200, memory: 10_000_000, budgetMs: 10_000 }

/** The longest part we parse; the validators keep every part below it. */
const PARSE_LIMIT = 2_000_000

/**
 * Tenants write templates, so the engine must be safe with hostile ones: Liquid
 * runs no JavaScript, `ownPropertyOnly` hides prototypes (`{{ user.constructor }}`
 * is undefined), a missing variable or unknown filter is an error, nothing is
 * read from disk and the tags that load other templates do not exist.
 */
function createEngine(outputEscape?: 'escape') {
  const engine = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    outputEscape,
    // An empty in-memory file system instead of the process's disk
    templates: {},
    parseLimit: PARSE_LIMIT,
  })
  for (const tag of ['include', 'render', 'layout', 'block']) {
    delete engine.tags[tag]
  }
  return engine
}

const plainEngine = createEngine()
/** Values written into the html part are HTML-escaped; `| raw` opts out. */
const ENGINES: Record<TemplatePart, Liquid> = {
  subject: plainEngine,
  html: createEngine('escape'),
  text: plainEngine,
}

/**
 * A template parsed once, rendered as often as a request needs: one parse per
 * bulk request, one render per recipient. All its renders share one time
 * budget, so a slow template cannot hold a worker for recipients × renderMs.
 */
export class CompiledTemplate {
  private spentMs = 0

  constructor(
    private parsed: Record<TemplatePart, Template[] | null>,
    /** Top-level variables the request must give: declared ones and those the template reads */
    readonly requiredVariables: string[],
    private limits: RenderLimits
  ) {}

  render(variables: Record<string, unknown>): TemplateParts {
    const missing = this.requiredVariables.filter((name) => !Object.hasOwn(variables, name))
    if (missing.length > 0) {
      throw new MissingTemplateVariablesException(missing)
    }
    const remainingMs = this.limits.budgetMs - this.spentMs
    if (remainingMs <= 0) {
      throw new TemplateRenderBudgetException(this.limits.budgetMs)
    }
    const started = performance.now()
    const deadline = started + Math.min(this.limits.renderMs, remainingMs)
    try {
      const rendered = { subject: null, html: null, text: null } as TemplateParts
      for (const part of PARTS) {
        rendered[part] = this.renderPart(part, variables, deadline)
      }
      return rendered
    } finally {
      this.spentMs += performance.now() - started
    }
  }

  private renderPart(part: TemplatePart, variables: Record<string, unknown>, deadline: number) {
    const template = this.parsed[part]
    if (!template) {
      return null
    }
    try {
      return String(
        ENGINES[part].renderSync(template, variables, {
          renderLimit: deadline - performance.now(),
          memoryLimit: this.limits.memory,
        })
      )
    } catch (error) {
      if (error instanceof UndefinedVariableError) {
        throw new MissingTemplateVariablesException([undefinedVariableName(error)])
      }
      if (error instanceof LiquidError) {
        throw new TemplateRenderException(`The ${part} template failed to render: ${error.message}`)
      }
      throw error
    }
  }
}

/**
 * Parses tenants' templates with Liquid and lists the variables they read.
 */
export class TemplateRenderer {
  private limits: RenderLimits

  constructor(limits: Partial<RenderLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits }
  }

  /**
   * Parse every part; a syntax error is a 422 naming the part. The required
   * variables are `declared` and every top-level variable the parts read.
   */
  compile(source: TemplateParts, declared: string[] = []): CompiledTemplate {
    const parsed = { subject: null, html: null, text: null } as Record<
      TemplatePart,
      Template[] | null
    >
    const problems: TemplateProblem[] = []
    for (const part of PARTS) {
      const text = source[part]
      if (text === null) {
        continue
      }
      try {
        parsed[part] = ENGINES[part].parse(text)
      } catch (error) {
        if (!(error instanceof LiquidError)) {
          throw error
        }
        problems.push({
          field: part,
          message: `The ${part} template is not valid Liquid: ${error.message}`,
          rule: 'templateSyntax',
        })
      }
    }
    if (problems.length > 0) {
      throw new TemplateValidationException(problems)
    }

    const required = new Set(declared)
    for (const part of PARTS) {
      const template = parsed[part]
      if (template) {
        ENGINES[part].globalVariablesSync(template).forEach((name) => required.add(name))
      }
    }
    return new CompiledTemplate(parsed, [...required].sort(), this.limits)
  }
}

/** `user.name` for `{{ user.name }}` when user has no name. */
function undefinedVariableName(error: UndefinedVariableError) {
  const original = error.originalError as { variableName?: unknown } | undefined
  return typeof original?.variableName === 'string' ? original.variableName : 'unknown'
}
