import { ServiceBusClient } from '@azure/service-bus';

import { startServiceBusEmulator, ServiceBusEmulator } from '../../dev/service-bus-emulator';
import { runCli } from './cliHarness';

describe('risk-responder dead-letters (nothing lost after a failure)', () => {
    let emulator: ServiceBusEmulator;
    let client: ServiceBusClient;
    const queue = 'risk-detections-dlq-test';

    beforeAll(async () => {
        emulator = await startServiceBusEmulator({
            queues: [{ name: queue, maxDeliveryCount: 2, duplicateDetectionWindowMs: 3_600_000 }],
        });
        client = new ServiceBusClient(emulator.connectionString, {
            retryOptions: { maxRetries: 1, timeoutInMs: 5000 },
        });
        const sender = client.createSender(queue);
        await sender.sendMessages(
            [1, 2, 3].map((n) => ({ messageId: `m${n}`, subject: 'leakedCredentials', body: { n } })),
        );
        await sender.close();
        const receiver = client.createReceiver(queue);
        for (const message of await receiver.receiveMessages(3, { maxWaitTimeInMs: 2000 })) {
            await receiver.deadLetterMessage(message, {
                deadLetterReason: 'rules.invalid',
                deadLetterErrorDescription: 'rules.yaml: rules[0].then.action',
            });
        }
        await receiver.close();
    });
    afterAll(async () => {
        await client.close();
        await emulator.stop();
    });

    const env = () => ({ ServiceBusConnection: emulator.connectionString, RISK_QUEUE_NAME: queue });

    it('lists dead letters with their reason, without taking them', async () => {
        const result = await runCli(['dead-letters', '--json'], env());
        expect(result.code).toBe(0);
        const letters = result.stdout
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(letters.map((letter) => [letter.messageId, letter.reason])).toEqual([
            ['m1', 'rules.invalid'],
            ['m2', 'rules.invalid'],
            ['m3', 'rules.invalid'],
        ]);
        expect(emulator.queueStats(queue).deadLetter).toBe(3);
    });

    it('--resubmit puts them back on the queue under new ids (the duplicate window would drop the old ones)', async () => {
        const result = await runCli(['dead-letters', '--resubmit'], env());
        expect(result.code).toBe(0);
        expect(result.stderr).toContain('3 dead letters resubmitted');
        expect(emulator.queueStats(queue)).toMatchObject({ deadLetter: 0, active: 3 });
        const receiver = client.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
        const back = await receiver.receiveMessages(3, { maxWaitTimeInMs: 2000 });
        await receiver.close();
        expect(back.map((message) => message.body as unknown)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
        expect(back.every((message) => String(message.messageId).includes(':resubmitted:'))).toBe(true);
    });
});
