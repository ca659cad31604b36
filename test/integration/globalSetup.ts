import { startAzurite } from '../../dev/azurite/startAzurite';

/**
 * Starts Azurite once for the integration tests (checkpoint blobs, audit table); tests read its connection
 * string from AZURITE_CONNECTION_STRING and use unique container and table names. Each test file starts its
 * own Graph simulator and Service Bus emulator on free ports.
 */
export default async function globalSetup(): Promise<void> {
    const azurite = await startAzurite();
    process.env.AZURITE_CONNECTION_STRING = azurite.connectionString;
    (globalThis as { azurite?: { stop(): Promise<void> } }).azurite = azurite;
}
