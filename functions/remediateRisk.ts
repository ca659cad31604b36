import { app, InvocationContext } from '@azure/functions';

import { getConsumerWiring } from './wiring';

/**
 * Service Bus entry point of the detections queue: one batch (cardinality many) through the remediation use
 * case with the process's adapters; its invocation context is the logger. Returning completes the batch; a
 * throw (transient failure, invalid rules) makes the host abandon it, and Service Bus redelivers it.
 */
export async function remediateRisk(messages: unknown[], context: InvocationContext): Promise<void> {
    const metadata = context.triggerMetadata ?? {};
    const messageIds = Array.isArray(metadata.messageIdArray) ? metadata.messageIdArray : [];
    const deliveryCounts = Array.isArray(metadata.deliveryCountArray) ? metadata.deliveryCountArray : [];
    await getConsumerWiring().remediateWith(
        messages.map((body, index) => ({
            body,
            messageId: typeof messageIds[index] === 'string' ? messageIds[index] : null,
            deliveryCount: typeof deliveryCounts[index] === 'number' ? deliveryCounts[index] : null,
        })),
        context,
    );
}

app.serviceBusQueue('remediateRisk', {
    connection: 'ServiceBusConnection',
    queueName: '%RISK_QUEUE_NAME%',
    cardinality: 'many',
    handler: remediateRisk,
});
