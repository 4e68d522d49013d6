// GSM 03.38 basic character set, and the extension table (each costs two septets)
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
const GSM_EXTENSION = '^{}\\[~]|€\f'

const BASIC = new Set(GSM_BASIC)
const EXTENSION = new Set(GSM_EXTENSION)

export interface SmsEncoding {
  encoding: 'GSM-7' | 'UCS-2'
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) */
  units: number
  segments: number
}

/**
 * Which encoding a carrier will use for this body and how many segments it
 * is billed as: GSM-7 fits 160 septets in one SMS or 153 per part when
 * concatenated; anything outside GSM-7 forces UCS-2 at 70, or 67 per part.
 */
export function smsEncoding(body: string): SmsEncoding {
  let septets = 0
  for (const char of body) {
    if (BASIC.has(char)) septets += 1
    else if (EXTENSION.has(char)) septets += 2
    else return ucs2(body)
  }
  return { encoding: 'GSM-7', units: septets, segments: segmentsFor(septets, 160, 153) }
}

function ucs2(body: string): SmsEncoding {
  return { encoding: 'UCS-2', units: body.length, segments: segmentsFor(body.length, 70, 67) }
}

function segmentsFor(units: number, single: number, perPart: number) {
  if (units === 0) return 0
  return units <= single ? 1 : Math.ceil(units / perPart)
}
