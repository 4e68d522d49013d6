import { errors as vineErrors } from '@vinejs/vine'
import { DomainException } from '#exceptions/api_error'

export interface TemplateProblem {
  field?: string
  message: string
  rule: string
}

/**
 * A request that is well formed but does not fit a template (syntax, missing
 * variables, content the channel cannot send). It extends VineJS's validation
 * error so the handler answers it like any other: 422 E_VALIDATION, one entry
 * per field.
 */
export class TemplateValidationException extends vineErrors.E_VALIDATION_ERROR {
  constructor(problems: TemplateProblem[]) {
    super(problems)
    this.message = problems.map((problem) => problem.message).join('; ')
  }
}

/** Variables a template needs that the request did not give. */
export class MissingTemplateVariablesException extends TemplateValidationException {
  constructor(
    readonly variables: string[],
    fieldPrefix = 'variables'
  ) {
    super(
      variables.map((name) => ({
        field: `${fieldPrefix}.${name}`,
        message: `The template needs the variable "${name}"`,
        rule: 'templateVariable',
      }))
    )
  }
}

/** Rendering failed for these variables, or its result is not sendable. */
export class TemplateRenderException extends TemplateValidationException {
  constructor(message: string, field?: string) {
    super([{ field, message, rule: 'templateRender' }])
  }
}

/** One request spent its whole rendering time budget. */
export class TemplateRenderBudgetException extends TemplateValidationException {
  constructor(budgetMs: number) {
    super([
      {
        message: `Rendering the template took more than ${budgetMs} ms for this request`,
        rule: 'templateRenderBudget',
      },
    ])
  }
}

export class TemplateNotFoundException extends DomainException {
  static status = 404
  static code = 'E_NOT_FOUND'
  constructor() {
    super('Template not found')
  }
}

export class TemplateExistsException extends DomainException {
  static status = 409
  static code = 'E_TEMPLATE_EXISTS'
  constructor() {
    super('A template with this name, channel and locale exists: PUT to it to add a version')
  }
}
