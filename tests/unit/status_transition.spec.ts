import { test } from '@japa/runner'
import { MessageStatus } from '#enums/message_status'
import { DeliveryEventType } from '#enums/delivery_event_type'
import { changesFor, type TrackedMessageState } from '#messaging/tracking/status_transition'

const at = new Date('2030-01-01T00:00:00Z')
const earlier = new Date('2029-12-31T00:00:00Z')

function state(status: MessageStatus, opened: Date | null = null): TrackedMessageState {
  return { status, openedAt: opened, clickedAt: null }
}

function event(type: DeliveryEventType) {
  return { type, occurredAt: at, reason: 'why', code: 'CODE' }
}

test.group('Status only moves forward', () => {
  test('delivered moves {$self} forward')
    .with([MessageStatus.Queued, MessageStatus.Sending, MessageStatus.Sent])
    .run(({ assert }, status) => {
      assert.deepEqual(changesFor(state(status), event(DeliveryEventType.Delivered)), {
        status: MessageStatus.Delivered,
        delivered_at: at,
      })
    })

  test('nothing moves a {$self} message back or out of its end')
    .with([
      MessageStatus.Delivered,
      MessageStatus.Failed,
      MessageStatus.Canceled,
      MessageStatus.Suppressed,
    ])
    .run(({ assert }, status) => {
      for (const type of [DeliveryEventType.Sent, DeliveryEventType.Delivered]) {
        assert.isNull(changesFor(state(status), event(type)))
      }
    })

  test('{$self} ends a delivered message in failed, with the reason')
    .with([DeliveryEventType.Bounced, DeliveryEventType.Complained, DeliveryEventType.Failed])
    .run(({ assert }, type) => {
      assert.deepEqual(changesFor(state(MessageStatus.Delivered), event(type)), {
        status: MessageStatus.Failed,
        failed_at: at,
        last_error: 'why',
        last_error_code: 'CODE',
        locked_until: null,
        next_attempt_at: null,
      })
    })

  test('a bounce leaves a canceled or already failed message as it is', ({ assert }) => {
    assert.isNull(changesFor(state(MessageStatus.Canceled), event(DeliveryEventType.Bounced)))
    assert.isNull(changesFor(state(MessageStatus.Failed), event(DeliveryEventType.Complained)))
  })

  test('soft bounces, deferrals and provider sends change nothing', ({ assert }) => {
    for (const type of [
      DeliveryEventType.SoftBounced,
      DeliveryEventType.Deferred,
      DeliveryEventType.Sent,
      DeliveryEventType.Queued,
    ]) {
      assert.isNull(changesFor(state(MessageStatus.Sent), event(type)))
    }
  })

  test('the first open is recorded and implies delivery; a later one changes nothing', ({
    assert,
  }) => {
    assert.deepEqual(changesFor(state(MessageStatus.Sent), event(DeliveryEventType.Opened)), {
      opened_at: at,
      status: MessageStatus.Delivered,
      delivered_at: at,
    })
    assert.isNull(
      changesFor(state(MessageStatus.Delivered, earlier), event(DeliveryEventType.Opened))
    )
  })

  test('a click on a failed message records the click and keeps it failed', ({ assert }) => {
    assert.deepEqual(changesFor(state(MessageStatus.Failed), event(DeliveryEventType.Clicked)), {
      clicked_at: at,
    })
  })
})
