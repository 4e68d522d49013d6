import { test } from '@japa/runner'
import {
  parseSettingChange,
  TenantSettingError,
  withChanges,
} from '#messaging/tenants/tenant_setting_input'
import { effectiveSettings } from '#messaging/tenants/tenant_settings'

const defaults = { apiRateLimit: { limit: 50, windowMs: 1000 }, sendRateLimit: null }

test.group('Tenant settings: an operator’s values', () => {
  test('rate limits are count/seconds, none (unlimited) or default (the env default)', ({
    assert,
  }) => {
    assert.deepEqual(parseSettingChange('apiRateLimit', ' 20 / 1 '), {
      name: 'apiRateLimit',
      value: '20/1',
    })
    assert.deepEqual(parseSettingChange('sendRateLimit', 'NONE').value, null)
    assert.isUndefined(parseSettingChange('sendRateLimit', 'default').value)
    for (const bad of ['', '20', '0/1', '20/0', 'x/1', '20/1/2']) {
      assert.throws(() => parseSettingChange('apiRateLimit', bad), /is not a rate limit/)
    }
  })

  test('a quota is a number for all channels, or channel=number pairs; none is no quota', ({
    assert,
  }) => {
    assert.deepEqual(parseSettingChange('dailyQuota', '10').value, { all: 10 })
    assert.deepEqual(parseSettingChange('monthlyQuota', 'email=1000, SMS=500,all=2000').value, {
      email: 1000,
      sms: 500,
      all: 2000,
    })
    assert.isUndefined(parseSettingChange('dailyQuota', 'none').value)
    assert.deepEqual(parseSettingChange('dailyQuota', 'sms=2147483647').value, { sms: 2147483647 })
    for (const bad of ['2147483648', 'email=99999999999999999999']) {
      assert.throws(() => parseSettingChange('dailyQuota', bad), /from 0 to 2147483647/)
    }
    for (const bad of ['-1', 'fax=10', 'email=', 'email=1.5', 'email=1=2', 'email=1,email=2']) {
      assert.throws(() => parseSettingChange('dailyQuota', bad), TenantSettingError)
    }
  })

  test('a weight is a whole number from 1 to 1000', ({ assert }) => {
    assert.equal(parseSettingChange('weight', '1000').value, 1000)
    for (const bad of ['0', '1001', '2.5', 'none', 'heavy']) {
      assert.throws(() => parseSettingChange('weight', bad), /is not a weight/)
    }
  })

  test('stored values win over the env defaults; default removes one', ({ assert }) => {
    const stored = withChanges({ weight: 3, apiRateLimit: '5/1' }, [
      parseSettingChange('apiRateLimit', 'default'),
      parseSettingChange('sendRateLimit', '100/60'),
      parseSettingChange('dailyQuota', 'sms=5'),
    ])
    assert.deepEqual(stored, { weight: 3, sendRateLimit: '100/60', dailyQuota: { sms: 5 } })
    assert.deepEqual(effectiveSettings(stored, defaults), {
      apiRateLimit: { limit: 50, windowMs: 1000 },
      sendRateLimit: { limit: 100, windowMs: 60_000 },
      dailyQuota: { sms: 5 },
      monthlyQuota: {},
      weight: 3,
    })
    assert.isNull(effectiveSettings({ apiRateLimit: null }, defaults).apiRateLimit)
    assert.deepEqual(effectiveSettings({}, defaults).weight, 1)
  })
})
