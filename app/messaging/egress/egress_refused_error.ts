/** An outbound connection the egress policy does not allow. */
export class EgressRefusedError extends Error {
  readonly code = 'EGRESS_REFUSED'
  name = 'EgressRefusedError'
}
