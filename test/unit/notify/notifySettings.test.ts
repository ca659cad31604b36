import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadNotifySettings, notifySettingKeys, optionalNotifySettingKeys } from '../../../shared/settings/notifySettings';

const sample = JSON.parse(readFileSync(join(__dirname, '../../../local.settings.sample.json'), 'utf8')) as { Values: Record<string, string> };
const storage = { AzureWebJobsStorage: 'UseDevelopmentStorage=true' };

describe('notification settings (issue #4)', () => {
    it('the committed local.settings.sample.json parses with the schema', () => {
        expect(() => loadNotifySettings(sample.Values)).not.toThrow();
    });

    it('applies the documented defaults', () => {
        expect(loadNotifySettings(storage)).toMatchObject({
            NOTIFY_QUEUE_NAME: 'risk-notifications',
            WEBHOOK_ALLOWED_HOSTS: ['.environment.api.powerplatform.com', '.logic.azure.com'],
            ALLOW_LOOPBACK_WEBHOOKS: false,
            NOTIFY_MAX_ATTEMPTS: 8,
            NOTIFY_RETRY_BASE_SECONDS: 30,
            NOTIFY_RETRY_MAX_SECONDS: 3600,
            NOTIFY_MAILS_PER_MINUTE: 30,
            ENTRA_PORTAL_URL: 'https://entra.microsoft.com',
            DELIVERY_LOG_STORE: 'table',
            DELIVERY_LOG_TABLE: 'riskrespondernotify',
        });
        expect(loadNotifySettings(storage).MAIL_SENDER).toBeUndefined();
    });

    it('reads lists and switches', () => {
        const settings = loadNotifySettings({
            ...storage,
            ALERT_EMAIL: 'secops@contoso.example, oncall@contoso.example',
            MAIL_SENDER: 'risk-responder@contoso.example',
            WEBHOOK_ALLOWED_HOSTS: '.Logic.Azure.com, hooks.contoso.example',
            ALLOW_LOOPBACK_WEBHOOKS: 'true',
            ENTRA_PORTAL_URL: 'https://entra.microsoft.us/',
        });
        expect(settings).toMatchObject({
            ALERT_EMAIL: ['secops@contoso.example', 'oncall@contoso.example'],
            WEBHOOK_ALLOWED_HOSTS: ['.logic.azure.com', 'hooks.contoso.example'],
            ALLOW_LOOPBACK_WEBHOOKS: true,
            ENTRA_PORTAL_URL: 'https://entra.microsoft.us',
        });
    });

    it('names bad keys, never their values (a webhook URL is a secret)', () => {
        const secret = 'http://prod-01.westus.logic.azure.com/workflows/x?sig=VERYSECRET';
        let message = '';
        try {
            loadNotifySettings({ ALERT_TEAMS_WEBHOOK: secret, WEBHOOK_ALLOWED_HOSTS: 'https://x.example/path', ALERT_EMAIL: 'a@b.example', DELIVERY_LOG_STORE: 'file' });
        } catch (error) {
            message = (error as Error).message;
        }
        expect(message).toMatch(/ALERT_TEAMS_WEBHOOK \(must be an https URL \(http only on loopback\)\)/);
        expect(message).toMatch(/WEBHOOK_ALLOWED_HOSTS/);
        expect(message).toMatch(/DELIVERY_LOG_DIR/);
        expect(message).toMatch(/MAIL_SENDER \(missing: required when ALERT_EMAIL is set\)/);
        expect(message).not.toContain('VERYSECRET');
    });

    it('needs storage for the delivery log table', () => {
        expect(() => loadNotifySettings({})).toThrow(/AzureWebJobsStorage/);
        expect(() => loadNotifySettings({ DELIVERY_LOG_STORE: 'file', DELIVERY_LOG_DIR: '/tmp/x' })).not.toThrow();
    });

    it('lists its keys for the sample file and the templates', () => {
        expect(notifySettingKeys).toEqual(expect.arrayContaining(['MAIL_SENDER', 'NOTIFY_QUEUE_NAME', 'WEBHOOK_ALLOWED_HOSTS', 'ENTRA_PORTAL_URL']));
        expect(optionalNotifySettingKeys.every((key) => notifySettingKeys.includes(key))).toBe(true);
    });
});
