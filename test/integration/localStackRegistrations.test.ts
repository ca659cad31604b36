/**
 * What each function registers (issue 5), as Azure's host would index it: the app's entry files are loaded in a
 * child process with the `@azure/functions-core` stand-in of the local host, and the metadata it receives is
 * checked against host.json and the settings schemas: trigger types, schedule, queues, connection, cardinality.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { indexFunctionApp, nextOccurrence, parseNcrontab, readHostJson, type IndexedFunctionSummary } from '../../dev/host';
import { notifySettingKeys, notifySettingsSchema } from '../../shared/settings/notifySettings';
import {
    consumerSettingKeys,
    intakeSettingsSchema,
    pollerSettingKeys,
    queueSettingsSchema,
} from '../../shared/settings/settings';

jest.setTimeout(30_000);

const appRoot = join(__dirname, '../..');

/** The setting a `%NAME%` binding value names. */
function settingIn(value: unknown): string {
    const match = /^%([^%]+)%$/.exec(String(value));
    if (!match) {
        throw new Error(`expected a %SETTING% expression, got ${String(value)}: binding values come from app settings`);
    }
    return match[1]!;
}

describe('function registrations as the host indexes them (issue 5)', () => {
    let functions: IndexedFunctionSummary[];
    let errors: Array<{ functionName: string; message: string }>;
    let sample: Record<string, string>;

    beforeAll(async () => {
        sample = (JSON.parse(await readFile(join(appRoot, 'local.settings.sample.json'), 'utf8')) as { Values: Record<string, string> }).Values;
        ({ functions, errors } = await indexFunctionApp({ appRoot, settings: sample }));
    });

    const trigger = (name: string) => {
        const fn = functions.find((entry) => entry.name === name);
        if (!fn) {
            throw new Error(`${name} is not registered; registered: ${functions.map((entry) => entry.name).join(', ')}`);
        }
        return fn;
    };

    it('registers the three functions, each from the file named after it, all resolvable with the sample settings', () => {
        expect(functions.map((fn) => [fn.name, fn.triggerType, fn.scriptFile]).sort()).toEqual([
            ['deliverNotifications', 'serviceBusTrigger', 'functions/deliverNotifications.ts'],
            ['pollRiskDetections', 'timerTrigger', 'functions/pollRiskDetections.ts'],
            ['remediateRisk', 'serviceBusTrigger', 'functions/remediateRisk.ts'],
        ]);
        expect(errors).toEqual([]);
        for (const fn of functions) {
            expect(fn.disabled).toBe(false);
            // No preview SDK bindings: the trigger hands over bodies, as the local host and Azure both do.
            expect(fn.registeredTrigger.properties).toEqual({ supportsDeferredBinding: 'false' });
            expect(fn.rawBindings.map((raw) => JSON.parse(raw) as { direction: string }).map((binding) => binding.direction)).toEqual(['in']);
        }
    });

    it('pollRiskDetections: a timer on POLL_SCHEDULE, an NCRONTAB schedule, monitored, not run on startup', () => {
        const poll = trigger('pollRiskDetections').registeredTrigger;
        expect(poll).toMatchObject({ type: 'timerTrigger', direction: 'in', runOnStartup: false, useMonitor: true });
        const setting = settingIn(poll.schedule);
        expect(setting).toBe('POLL_SCHEDULE');
        expect(pollerSettingKeys).toContain(setting);
        // Both the schema default and the sample value are schedules the host can run.
        const defaultSchedule = intakeSettingsSchema.shape.POLL_SCHEDULE.parse(undefined);
        for (const schedule of [defaultSchedule, sample[setting]!]) {
            expect(schedule.trim().split(/\s+/)).toHaveLength(6);
            expect(() => nextOccurrence(parseNcrontab(schedule), new Date())).not.toThrow();
        }
        expect(trigger('pollRiskDetections').resolvedTrigger?.schedule).toBe(sample.POLL_SCHEDULE);
    });

    it('remediateRisk: batches (cardinality many) from RISK_QUEUE_NAME on the ServiceBusConnection setting', () => {
        const consume = trigger('remediateRisk').registeredTrigger;
        expect(consume).toMatchObject({ type: 'serviceBusTrigger', direction: 'in', connection: 'ServiceBusConnection', cardinality: 'many' });
        expect(settingIn(consume.queueName)).toBe('RISK_QUEUE_NAME');
        expect(consumerSettingKeys).toEqual(expect.arrayContaining(['RISK_QUEUE_NAME', 'ServiceBusConnection', 'ServiceBusConnection__fullyQualifiedNamespace']));
        // The poller sends to the queue the consumer listens on: one setting, one queue.
        expect(pollerSettingKeys).toContain('RISK_QUEUE_NAME');
        expect(trigger('remediateRisk').resolvedTrigger?.queueName).toBe(queueSettingsSchema.parse(sample).RISK_QUEUE_NAME);
    });

    it('deliverNotifications: one message at a time from NOTIFY_QUEUE_NAME on the same connection', () => {
        const deliver = trigger('deliverNotifications').registeredTrigger;
        expect(deliver).toMatchObject({ type: 'serviceBusTrigger', direction: 'in', connection: 'ServiceBusConnection' });
        expect(deliver.cardinality ?? 'one').toBe('one');
        expect(settingIn(deliver.queueName)).toBe('NOTIFY_QUEUE_NAME');
        expect(notifySettingKeys).toContain('NOTIFY_QUEUE_NAME');
        expect(trigger('deliverNotifications').resolvedTrigger?.queueName).toBe(notifySettingsSchema.parse(sample).NOTIFY_QUEUE_NAME);
        expect(trigger('deliverNotifications').resolvedTrigger?.queueName).not.toBe(trigger('remediateRisk').resolvedTrigger?.queueName);
    });

    it('host.json fits the registrations: every function runs, messages complete on return, a poll fits in the timeout', async () => {
        const hostJson = await readHostJson(appRoot, {});
        expect(hostJson.functions).toBeUndefined();
        const serviceBus = hostJson.extensions.serviceBus;
        // Completion is the host's (no function settles messages itself) and nothing is prefetched past the batch.
        expect(serviceBus.autoCompleteMessages).toBe(true);
        expect(serviceBus.prefetchCount).toBe(0);
        for (const name of ['remediateRisk', 'deliverNotifications']) {
            expect(trigger(name).registeredTrigger.autoCompleteMessages).toBeUndefined();
        }
        // A batch is at least one message and a batch wait stays well under the 5-minute lock ceiling.
        expect(serviceBus.maxMessageBatchSize).toBeGreaterThanOrEqual(serviceBus.minMessageBatchSize);
        expect(serviceBus.maxBatchWaitTime).toBeLessThanOrEqual(150_000);
        // A poll cycle stops itself within its budget, well inside the function timeout.
        const budgetMs = intakeSettingsSchema.shape.POLL_TIME_BUDGET_SECONDS.parse(sample.POLL_TIME_BUDGET_SECONDS) * 1000;
        expect(budgetMs).toBeLessThan(hostJson.functionTimeout);
    });
});
