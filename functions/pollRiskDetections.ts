import { app, InvocationContext, Timer } from '@azure/functions';

import { getPollerWiring } from './wiring';

/** Timer entry point: one poll cycle with the process's adapters; its invocation context is the logger. */
export async function pollRiskDetections(timer: Timer, context: InvocationContext): Promise<void> {
    const wiring = getPollerWiring();
    if (timer.isPastDue) {
        context.warn('poll: timer is past due; this cycle catches up from the checkpoint');
    }
    await wiring.pollWith(context);
}

app.timer('pollRiskDetections', {
    schedule: '%POLL_SCHEDULE%',
    runOnStartup: false,
    useMonitor: true,
    handler: pollRiskDetections,
});
