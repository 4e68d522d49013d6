import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'

/**
 * A self-signed X.509 v3 certificate (RSA 2048, SHA-256) built with
 * node:crypto and a minimal DER encoder, so a fake can sign like a provider
 * that publishes certificates (SNS) without a certificate library.
 */
export interface SelfSignedCertificate {
  certificatePem: string
  privateKey: KeyObject
}

const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11'
const OID_COMMON_NAME = '2.5.4.3'
const OID_ORGANIZATION = '2.5.4.10'
const DAY_MS = 86_400_000

export function createSelfSignedCertificate(options: {
  commonName: string
  organization: string
  validDays: number
}): SelfSignedCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const name = sequence(
    set(sequence(oid(OID_COMMON_NAME), utf8String(options.commonName))),
    set(sequence(oid(OID_ORGANIZATION), utf8String(options.organization)))
  )
  const algorithm = sequence(oid(OID_SHA256_WITH_RSA), tlv(0x05, Buffer.alloc(0)))
  const now = Date.now()
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))),
    integer(serialNumber()),
    algorithm,
    name,
    sequence(utcTime(new Date(now - DAY_MS)), utcTime(new Date(now + options.validDays * DAY_MS))),
    name,
    publicKey.export({ type: 'spki', format: 'der' })
  )
  const signature = sign('sha256', tbs, privateKey)
  const der = sequence(tbs, algorithm, bitString(signature))
  const lines = der.toString('base64').match(/.{1,64}/g) ?? []
  return {
    certificatePem: `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`,
    privateKey,
  }
}

function tlv(tag: number, content: Buffer) {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content])
}

function derLength(length: number) {
  if (length < 0x80) return Buffer.from([length])
  const bytes: number[] = []
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

function sequence(...items: Buffer[]) {
  return tlv(0x30, Buffer.concat(items))
}

function set(...items: Buffer[]) {
  return tlv(0x31, Buffer.concat(items))
}

/** A positive INTEGER from big-endian bytes whose top bit is clear. */
function integer(bytes: Buffer) {
  return tlv(0x02, bytes)
}

/** 16 random bytes, top bit cleared and non-zero first byte: positive and minimally encoded. */
function serialNumber() {
  const bytes = randomBytes(16)
  bytes[0] = (bytes[0] & 0x7f) | 0x01
  return bytes
}

function bitString(bytes: Buffer) {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]))
}

function utf8String(value: string) {
  return tlv(0x0c, Buffer.from(value, 'utf8'))
}

/** YYMMDDHHMMSSZ, valid for years 1950 to 2049 */
function utcTime(date: Date) {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'
  return tlv(0x17, Buffer.from(text, 'ascii'))
}

function oid(dotted: string) {
  const [first, second, ...rest] = dotted.split('.').map(Number)
  const bytes = [first * 40 + second]
  for (const arc of rest) {
    const chunk = [arc & 0x7f]
    for (let value = arc >> 7; value > 0; value >>= 7) chunk.unshift((value & 0x7f) | 0x80)
    bytes.push(...chunk)
  }
  return tlv(0x06, Buffer.from(bytes))
}
