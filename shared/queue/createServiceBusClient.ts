import { DefaultAzureCredential } from '@azure/identity';
import { ServiceBusClient } from '@azure/service-bus';

import { QueueSettings } from '../settings/settings';

/**
 * One ServiceBusClient per process (each client opens its own connection). The same keys as the trigger
 * binding: a connection string (local emulator, SAS) or the namespace reached with the managed identity.
 */
export function createServiceBusClient(settings: QueueSettings): ServiceBusClient {
    if (settings.ServiceBusConnection) {
        return new ServiceBusClient(settings.ServiceBusConnection);
    }
    const namespace = settings.ServiceBusConnection__fullyQualifiedNamespace ?? '';
    const clientId = settings.ServiceBusConnection__clientId;
    return new ServiceBusClient(
        namespace,
        new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : undefined),
    );
}
