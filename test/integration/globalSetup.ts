/** Starts the shared local services integration tests need (see test/integration/localServices.ts). */
export default async function globalSetup(): Promise<void> {
    // Each test file starts its own Graph simulator and Service Bus emulator on free ports.
}
