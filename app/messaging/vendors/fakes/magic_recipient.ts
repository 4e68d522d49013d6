/**
 * How the fakes read a magic recipient address. A `+label` is ignored (as
 * SES's mailbox simulator allows), so tests can keep addresses unique:
 * `Bounce+run42@example.com` acts like `bounce@…`.
 */
export function magicLocalPart(address: string) {
  return localPart(address).toLowerCase()
}

/** `error-<Name>@…` asks a fake for the provider error <Name>, spelled as given. */
export function magicErrorName(address: string) {
  const match = /^error-(.+)$/i.exec(localPart(address))
  return match ? match[1] : null
}

function localPart(address: string) {
  const at = address.lastIndexOf('@')
  const local = at === -1 ? address : address.slice(0, at)
  return local.split('+')[0]
}
