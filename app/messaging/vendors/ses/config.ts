import vine from '@vinejs/vine'
import { httpUrl, secret, text, type ConfigField } from '#messaging/vendors/contract/config_fields'

/** An SES provider's `config` (SesGatewayConfig). */
export const sesConfigSchema = vine.object({
  region: vine
    .string()
    .trim()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/),
  accessKeyId: text(),
  secretAccessKey: secret(),
  endpoint: httpUrl().optional(),
  from: text(),
  configurationSet: text().optional(),
  snsTopicArn: vine
    .string()
    .trim()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/)
    .optional(),
})

/** The console's form for an SES provider's `config` */
export const sesConfigFields: ConfigField[] = [
  { name: 'region', label: 'Region', input: 'text', required: true, placeholder: 'eu-west-1' },
  {
    name: 'accessKeyId',
    label: 'Access key ID',
    input: 'text',
    required: true,
    hint: 'An IAM user or role key allowed ses:SendEmail',
  },
  { name: 'secretAccessKey', label: 'Secret access key', input: 'text', required: true },
  {
    name: 'from',
    label: 'From address',
    input: 'text',
    required: true,
    placeholder: 'notifications@example.com',
    hint: 'A sender on an identity verified in SES',
  },
  {
    name: 'configurationSet',
    label: 'Configuration set',
    input: 'text',
    hint: 'The configuration set whose events SES publishes to the SNS topic below',
  },
  {
    name: 'snsTopicArn',
    label: 'SNS topic ARN',
    input: 'text',
    placeholder: 'arn:aws:sns:eu-west-1:123456789012:ses-events',
    hint: 'Delivery notifications are accepted from this topic only',
  },
  {
    name: 'endpoint',
    label: 'Endpoint',
    input: 'url',
    hint: "Leave empty for AWS's own; set it for an SES-compatible service",
  },
]
