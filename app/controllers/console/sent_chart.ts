import type { MinuteCount } from '#messaging/stats/message_activity'

/** The SVG's own units: the page scales it to its width */
const WIDTH = 640
const HEIGHT = 180
const LEFT = 40
const BOTTOM = 22
const TOP = 8
const PLOT_WIDTH = WIDTH - LEFT - 4
const PLOT_HEIGHT = HEIGHT - TOP - BOTTOM

/** Minutes labelled on the time axis: the hour's start, every quarter, and now */
const LABELLED_MINUTES = [0, 15, 30, 45, 59]

/**
 * Where the bars, gridlines and labels of the sent-per-minute chart go, in
 * the SVG's units: server-rendered, so the page needs no chart library.
 */
export function sentChart(minutes: MinuteCount[]) {
  const peak = Math.max(0, ...minutes.map((minute) => minute.sent))
  const top = roundedUp(peak)
  const slot = PLOT_WIDTH / Math.max(1, minutes.length)
  const yOf = (value: number) => TOP + PLOT_HEIGHT - (value / top) * PLOT_HEIGHT
  const bars = minutes.flatMap((minute, index) => {
    if (minute.sent === 0) return []
    const y = yOf(minute.sent)
    return [
      {
        x: round(LEFT + index * slot + slot * 0.1),
        y: round(y),
        width: round(slot * 0.8),
        height: round(TOP + PLOT_HEIGHT - y),
        label: `${clock(minute.minute)}: ${minute.sent} sent`,
      },
    ]
  })
  const peakMinute = minutes.find((minute) => minute.sent === peak && peak > 0)
  return {
    width: WIDTH,
    height: HEIGHT,
    plot: { left: LEFT, right: LEFT + PLOT_WIDTH, bottom: TOP + PLOT_HEIGHT },
    bars,
    yTicks: [0, top / 2, top].map((value) => ({
      value: Number.isInteger(value) ? String(value) : value.toFixed(1),
      y: round(yOf(value)),
    })),
    // The first and last labels lean inwards so that neither is cut at the edge
    xTicks: LABELLED_MINUTES.filter((index) => index < minutes.length).map((index) => ({
      label: clock(minutes[index].minute),
      x: round(LEFT + index * slot + slot / 2),
      anchor: index === 0 ? 'start' : index === minutes.length - 1 ? 'end' : 'middle',
    })),
    summary:
      peakMinute === undefined
        ? 'Nothing was sent in the last hour.'
        : `${minutes.reduce((sum, minute) => sum + minute.sent, 0)} sent in the last hour; ` +
          `the busiest minute was ${clock(peakMinute.minute)} UTC with ${peak}.`,
  }
}

/** A round top for the scale (1, 2, 5, 10, 20, 50, …), at least 1 */
function roundedUp(value: number) {
  if (value <= 1) return 1
  const magnitude = 10 ** Math.floor(Math.log10(value))
  const step = [1, 2, 5, 10].find((multiple) => multiple * magnitude >= value)!
  return step * magnitude
}

/** HH:MM, UTC */
function clock(at: Date) {
  return at.toISOString().slice(11, 16)
}

const round = (value: number) => Math.round(value * 10) / 10
