/*
|--------------------------------------------------------------------------
| Scheduled commands (node ace scheduler:run)
|--------------------------------------------------------------------------
*/
import scheduler from 'adonisjs-scheduler/services/main'

scheduler.command('comms:release-stuck').everyMinute().withoutOverlapping()
scheduler.command('comms:process-suppressions').everyFiveMinutes().withoutOverlapping()
