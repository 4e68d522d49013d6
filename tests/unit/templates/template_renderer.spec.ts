import { test } from '@japa/runner'
import { TemplateRenderer, type TemplateParts } from '#messaging/templates/template_renderer'
import {
  MissingTemplateVariablesException,
  TemplateRenderBudgetException,
  TemplateRenderException,
  TemplateValidationException,
} from '#exceptions/template_exceptions'

function parts(given: Partial<TemplateParts>): TemplateParts {
  return { subject: null, html: null, text: null, ...given }
}

/** Millions of iterations that allocate nothing: only the time limit stops them */
const NESTED_LOOPS =
  '{% for a in list %}{% for b in list %}{% for c in list %}{% endfor %}{% endfor %}{% endfor %}'
const list = Array.from({ length: 300 }, (_, index) => index)

/** The problems a compile or render throws, as the API would list them */
function problemsOf(action: () => unknown) {
  try {
    action()
  } catch (error) {
    if (error instanceof TemplateValidationException) {
      return error.messages as Array<{ field?: string; message: string; rule: string }>
    }
    throw error
  }
  throw new Error('expected a template problem')
}

test.group('TemplateRenderer', () => {
  test('escapes variables in html, not in subject or text', ({ assert }) => {
    const template = new TemplateRenderer().compile(
      parts({
        subject: 'Hi {{ name }}',
        html: '<p>Hi {{ name }}</p>{{ trusted | raw }}',
        text: 'Hi {{ name }}',
      })
    )
    const rendered = template.render({ name: '<b>Ada & "Bob"</b>', trusted: '<hr>' })

    assert.deepEqual(rendered, {
      subject: 'Hi <b>Ada & "Bob"</b>',
      html: '<p>Hi &lt;b&gt;Ada &amp; &#34;Bob&#34;&lt;/b&gt;</p><hr>',
      text: 'Hi <b>Ada & "Bob"</b>',
    })
  })

  test('lists the top-level variables it reads, with the declared ones', ({ assert }) => {
    const template = new TemplateRenderer().compile(
      parts({
        subject: '{{ user.first }}',
        text: '{% assign greeting = salutation %}{{ greeting }}{% for item in items %}{{ item.name }}{% endfor %}',
      }),
      ['coupon']
    )
    assert.deepEqual(template.requiredVariables, ['coupon', 'items', 'salutation', 'user'])
  })

  test('a missing variable is an error naming it, top-level or nested', ({ assert }) => {
    const template = new TemplateRenderer().compile(parts({ text: '{{ user.name }} {{ plan }}' }))

    assert.deepEqual(
      problemsOf(() => template.render({ user: { name: 'Ada' } })).map((p) => p.field),
      ['variables.plan']
    )
    assert.throws(() => template.render({ plan: 'pro' }), MissingTemplateVariablesException)
    assert.deepEqual(
      problemsOf(() => template.render({ user: {}, plan: 'pro' })).map((p) => p.field),
      ['variables.user.name']
    )
    assert.equal(template.render({ user: { name: 'Ada' }, plan: null }).text, 'Ada ')
  })

  test('prototypes are out of reach: {source}')
    .with([
      { source: '{{ user.constructor }}' },
      { source: '{{ user.constructor.name }}' },
      { source: '{{ user.toString }}' },
      { source: '{{ user.__proto__ }}' },
      { source: '{{ user.inherited }}' },
      { source: '{{ constructor }}' },
    ])
    .run(({ assert }, { source }) => {
      const template = new TemplateRenderer().compile(parts({ text: source }))
      const user = Object.assign(Object.create({ inherited: 'from the prototype' }), {
        name: 'Ada',
      })
      assert.throws(() => template.render({ user }), MissingTemplateVariablesException)
    })

  test('tags that load other templates or files are refused: {source}')
    .with([
      { source: '{% include "header" %}' },
      { source: '{% render "/etc/passwd" %}' },
      { source: '{% layout "base" %}' },
      { source: '{% block body %}x{% endblock %}' },
    ])
    .run(({ assert }, { source }) => {
      const problems = problemsOf(() => new TemplateRenderer().compile(parts({ html: source })))
      assert.equal(problems[0].field, 'html')
      assert.equal(problems[0].rule, 'templateSyntax')
      assert.include(problems[0].message, 'not found')
    })

  test('syntax errors and unknown filters name the part', ({ assert }) => {
    const problems = problemsOf(() =>
      new TemplateRenderer().compile(
        parts({ subject: '{{ name ', html: '{% if x %}open', text: '{{ name | shout }}' })
      )
    )
    assert.deepEqual(
      problems.map((problem) => problem.field),
      ['subject', 'html', 'text']
    )
  })

  test('a render that runs too long fails', ({ assert }) => {
    const slow = new TemplateRenderer({ renderMs: 50 }).compile(parts({ text: NESTED_LOOPS }))
    const started = Date.now()
    assert.throws(() => slow.render({ list }), /template render limit exceeded/)
    assert.isBelow(Date.now() - started, 1000)
  })

  test('a render that allocates too much fails', ({ assert }) => {
    const greedy = new TemplateRenderer({ memory: 100_000 }).compile(
      parts({ text: '{% for i in (1..1000000) %}x{% endfor %}' })
    )
    assert.throws(() => greedy.render({}), /memory alloc limit exceeded/)
  })

  test('all renders of one compiled template share a time budget', ({ assert }) => {
    const slow = new TemplateRenderer({ renderMs: 20, budgetMs: 60 }).compile(
      parts({ text: NESTED_LOOPS })
    )
    let renders = 0
    assert.throws(() => {
      for (;;) {
        renders++
        try {
          slow.render({ list })
        } catch (error) {
          if (!(error instanceof TemplateRenderException)) throw error
        }
      }
    }, TemplateRenderBudgetException)
    assert.isAtLeast(renders, 3)
    assert.isBelow(renders, 10)
  })
})
