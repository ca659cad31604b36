import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ServiceBusClient } from '@azure/service-bus';

import { createNotifyWiring } from '../../../functions/notifyWiring';

const connection = 'Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=local;SharedAccessKey=local;UseDevelopmentEmulator=true';

describe('notification wiring (issue #4)', () => {
    it('builds the notifier and the delivery from app settings, with no connection made', async () => {
        const client = new ServiceBusClient(connection);
        try {
            const wiring = createNotifyWiring(
                {
                    TENANT_ID: 't',
                    GRAPH_ENDPOINT: 'http://127.0.0.1:1',
                    ServiceBusConnection: connection,
                    DELIVERY_LOG_STORE: 'file',
                    DELIVERY_LOG_DIR: mkdtempSync(join(tmpdir(), 'rr-wiring-')),
                    MAIL_SENDER: 'risk-responder@contoso.example',
                },
                { serviceBusClient: client },
            );
            expect(wiring.settings).toMatchObject({ NOTIFY_QUEUE_NAME: 'risk-notifications', RULES_FILE: 'rules.yaml' });
            expect(wiring.components.deliveryConfig).toEqual({ tenantId: 't', maxAttempts: 8, retry: { baseMs: 30_000, maxMs: 3_600_000 } });
            expect(typeof wiring.notifierWith(console).notifyDecisions).toBe('function');
            expect(wiring.components.deliveryWith().sendMail).toBeDefined();
        } finally {
            await client.close();
        }
    });

    it('a bad setting fails with settings.invalid naming the keys, not the values', () => {
        expect(() => createNotifyWiring({ ALERT_TEAMS_WEBHOOK: 'http://evil.example/?sig=SECRET' })).toThrow(
            expect.objectContaining({ code: 'settings.invalid', message: expect.not.stringContaining('SECRET') }),
        );
        expect(() => createNotifyWiring({})).toThrow(/TENANT_ID.*ServiceBusConnection/s);
    });
});
