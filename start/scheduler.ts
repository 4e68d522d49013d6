/*
|--------------------------------------------------------------------------
| Scheduled commands (node ace scheduler:run)
|--------------------------------------------------------------------------
|
| Every command scheduled here extends ExclusiveCommand
| (app/scheduling/exclusive_command.ts): a Redis lock keeps several scheduler
| processes from running the same one at once. withoutOverlapping() only
| guards this process.
*/
import scheduler from 'adonisjs-scheduler/services/main'

scheduler.command('comms:release-stuck').everyMinute().withoutOverlapping()
scheduler.command('comms:process-suppressions').everyFiveMinutes().withoutOverlapping()
scheduler.command('comms:archive').dailyAt('03:30').withoutOverlapping()
scheduler.command('comms:update-channel-health').everyMinute().withoutOverlapping()
scheduler.command('comms:persist-counters').everyMinute().withoutOverlapping()
