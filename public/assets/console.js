// Small behaviours the console's markup asks for with data- attributes (no inline scripts: the CSP forbids them).
document.addEventListener('change', (event) => {
  const target = event.target
  if (target instanceof HTMLSelectElement && target.hasAttribute('data-submit-on-change')) {
    target.form?.requestSubmit()
  }
})

// <form data-confirm="Cancel this message?">: ask before a change that cannot be undone
document.addEventListener('submit', (event) => {
  const form = event.target
  if (
    form instanceof HTMLFormElement &&
    form.dataset.confirm &&
    !window.confirm(form.dataset.confirm)
  ) {
    event.preventDefault()
  }
})

// <button data-copy="text">: copy a value shown once (an invite link, a secret)
document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-copy]') : null
  if (!button) return
  await navigator.clipboard?.writeText(button.getAttribute('data-copy') ?? '')
  button.textContent = 'Copied'
})

// <form hx-post data-swap-errors>: htmx leaves a 4xx/5xx answer unswapped; this element shows the
// server's notice in its target instead (a poll keeps its content on a passing error)
document.addEventListener('htmx:beforeSwap', (event) => {
  // detail.elt is the target; the element that asked is the request's
  const { requestConfig, xhr } = event.detail
  const asker = requestConfig?.elt
  if (xhr.status >= 400 && asker instanceof Element && asker.closest('[data-swap-errors]')) {
    event.detail.shouldSwap = true
    event.detail.isError = false
  }
})
