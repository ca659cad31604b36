import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
    loadNotifySettings,
    notifySettingKeys,
    optionalNotifySettingKeys,
} from '../../../shared/settings/notifySettings';
import {
    alternativeSettingKeys,
    consumerSettingKeys,
    loadConsumerSettings,
    loadPollerSettings,
    pollerSettingKeys,
} from '../../../shared/settings/settings';

const sample = JSON.parse(readFileSync(join(__dirname, '../../../local.settings.sample.json'), 'utf8')) as {
    Values: Record<string, string>;
};

describe('app settings', () => {
    it('the committed local.settings.sample.json parses with every schema, so they cannot drift', () => {
        expect(() => loadPollerSettings(sample.Values)).not.toThrow();
        expect(() => loadConsumerSettings(sample.Values)).not.toThrow();
        expect(() => loadNotifySettings(sample.Values)).not.toThrow();
    });

    it('every key the schema knows, but for documented alternatives, is listed in the sample', () => {
        const optional = new Set([...alternativeSettingKeys, ...optionalNotifySettingKeys]);
        const allKeys = new Set([...pollerSettingKeys, ...consumerSettingKeys, ...notifySettingKeys]);
        const missing = [...allKeys].filter((key) => !(key in sample.Values) && !optional.has(key));
        expect(missing).toEqual([]);
    });

    it('applies the documented defaults', () => {
        const settings = loadPollerSettings({
            TENANT_ID: 't',
            ServiceBusConnection: 'x',
            AzureWebJobsStorage: 'UseDevelopmentStorage=true',
        });
        expect(settings).toMatchObject({
            GRAPH_ENDPOINT: 'https://graph.microsoft.com',
            MIN_RISK_LEVEL: 'high',
            GRAPH_CALLS_PER_SECOND: 1,
            POLL_OVERLAP_MINUTES: 15,
            INITIAL_LOOKBACK_HOURS: 24,
            POLL_SCHEDULE: '0 */5 * * * *',
            RISK_QUEUE_NAME: 'risk-detections',
        });
    });

    it('when keys are missing or bad, then one error names every one of them and no value', () => {
        const secret = 'Endpoint=sb://x;SharedAccessKey=very-secret';
        expect(() =>
            loadPollerSettings({
                ServiceBusConnection: secret,
                MIN_RISK_LEVEL: 'severe',
                GRAPH_CALLS_PER_SECOND: '-1',
                GRAPH_ENDPOINT: 'http://graph.example.com',
            }),
        ).toThrow(
            expect.objectContaining({
                code: 'settings.invalid',
                message: expect.stringMatching(
                    /TENANT_ID \(missing\).*GRAPH_ENDPOINT.*GRAPH_CALLS_PER_SECOND.*MIN_RISK_LEVEL.*AzureWebJobsStorage/s,
                ),
            }),
        );
        try {
            loadPollerSettings({ ServiceBusConnection: secret });
        } catch (error) {
            expect((error as Error).message).not.toContain('very-secret');
        }
    });

    it.each([
        ['https://graph.microsoft.us', 'https://graph.microsoft.us'],
        ['https://microsoftgraph.chinacloudapi.cn/', 'https://microsoftgraph.chinacloudapi.cn'],
        ['http://127.0.0.1:4000', 'http://127.0.0.1:4000'],
        ['http://localhost:4000/', 'http://localhost:4000'],
    ])('accepts the Graph endpoint %s', (endpoint, expected) => {
        const settings = loadPollerSettings({
            TENANT_ID: 't',
            ServiceBusConnection: 'x',
            AzureWebJobsStorage: 'y',
            GRAPH_ENDPOINT: endpoint,
        });
        expect(settings.GRAPH_ENDPOINT).toBe(expected);
    });

    it('reads "false"-like strings and the identity-based Service Bus form', () => {
        const settings = loadPollerSettings({
            TENANT_ID: 't',
            ServiceBusConnection__fullyQualifiedNamespace: 'contoso.servicebus.windows.net',
            CHECKPOINT_STORE: 'file',
            CHECKPOINT_DIR: '/tmp/x',
        });
        expect(settings.ServiceBusConnection).toBeUndefined();
        expect(settings.CHECKPOINT_STORE).toBe('file');
    });

    it('when CHECKPOINT_STORE=file has no folder, then CHECKPOINT_DIR is named', () => {
        expect(() =>
            loadPollerSettings({ TENANT_ID: 't', ServiceBusConnection: 'x', CHECKPOINT_STORE: 'file' }),
        ).toThrow(/CHECKPOINT_DIR/);
    });

    it('rejects a schedule that is not NCRONTAB', () => {
        expect(() =>
            loadPollerSettings({
                TENANT_ID: 't',
                ServiceBusConnection: 'x',
                AzureWebJobsStorage: 'y',
                POLL_SCHEDULE: 'every 5 minutes',
            }),
        ).toThrow(/POLL_SCHEDULE/);
    });
});
