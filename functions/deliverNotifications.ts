import { app, InvocationContext } from '@azure/functions';

import { getNotifyWiring } from './wiring';

/**
 * Service Bus entry point of the notification queue: delivers one job (a Teams post or an email) with the
 * process's adapters; its invocation context is the logger. One message per invocation, so one slow webhook
 * holds up nothing else.
 */
export async function deliverNotifications(message: unknown, context: InvocationContext): Promise<void> {
    const wiring = getNotifyWiring();
    const messageId = context.triggerMetadata?.messageId;
    await wiring.deliverWith({ body: message, messageId: typeof messageId === 'string' ? messageId : null }, context);
}

app.serviceBusQueue('deliverNotifications', {
    connection: 'ServiceBusConnection',
    queueName: '%NOTIFY_QUEUE_NAME%',
    handler: deliverNotifications,
});
