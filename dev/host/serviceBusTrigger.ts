import { randomUUID } from 'node:crypto';

import {
    RetryMode,
    ServiceBusClient,
    type ServiceBusReceivedMessage,
    type ServiceBusReceiver,
} from '@azure/service-bus';

import type { AppSettings } from './bindingExpressions';
import type { HostEventSink } from './hostEvents';
import type { ServiceBusHostOptions } from './hostJson';
import type { FunctionInvoker, HostLogger, IndexedFunction, InvocationInput } from './invoker';
import { bodiesTypedData, bodyTypedData, triggerMetadataOf } from './typedData';

/**
 * The Service Bus trigger as the Functions host runs it (extension 5.x, reference sections 1.3-1.4 and 2.2-2.3):
 * a peek-lock receiver on the bound queue, without prefetch; batches of up to `maxMessageBatchSize` for
 * `cardinality: 'many'` (one invocation, an array of bodies), otherwise one message per invocation; complete on
 * success (auto-complete), abandon on failure, so Service Bus redelivers with the delivery count one higher and
 * dead-letters at the queue's max delivery count. One invocation at a time per function.
 */

/** Where the connection setting points, read as the host reads it. */
export type ServiceBusConnection =
    { kind: 'connectionString'; value: string } | { kind: 'identity'; namespace: string };

/**
 * The connection a binding names, looked up as the WebJobs host does: `AzureWebJobs<name>` first, then `<name>`,
 * each as `ConnectionStrings:<key>` or `<key>`; a value is a connection string, a `<key>__fullyQualifiedNamespace`
 * child the identity-based form. No name means `ServiceBus` (so `AzureWebJobsServiceBus`).
 */
export function resolveServiceBusConnection(
    connectionSetting: string | undefined,
    settings: AppSettings,
): ServiceBusConnection {
    const name = connectionSetting && connectionSetting !== '' ? connectionSetting : 'ServiceBus';
    for (const key of [`AzureWebJobs${name}`, name]) {
        const value = settings[`ConnectionStrings:${key}`] ?? settings[key];
        if (value !== undefined && value !== '') {
            return { kind: 'connectionString', value };
        }
        const namespace = settings[`${key}__fullyQualifiedNamespace`];
        if (namespace !== undefined && namespace !== '') {
            return { kind: 'identity', namespace };
        }
    }
    throw new Error(
        `Service Bus connection "${name}" is not set: set the app setting ${name} to a connection string ` +
            `(or ${name}__fullyQualifiedNamespace for an identity-based connection in Azure)`,
    );
}

/** The SDK retry options matching host.json `extensions.serviceBus.clientRetryOptions`. */
export function clientRetryOptionsOf(options: ServiceBusHostOptions): {
    mode: RetryMode;
    maxRetries: number;
    retryDelayInMs: number;
    maxRetryDelayInMs: number;
    timeoutInMs: number;
} {
    const retry = options.clientRetryOptions;
    return {
        mode: retry.mode.toLowerCase() === 'fixed' ? RetryMode.Fixed : RetryMode.Exponential,
        maxRetries: retry.maxRetries,
        retryDelayInMs: retry.delay,
        maxRetryDelayInMs: retry.maxDelay,
        timeoutInMs: retry.tryTimeout,
    };
}

/** One client per connection string, as the host shares a client per connection. */
/** Unsettled deliveries one receiver takes, under the 2,048 the Node SDK's AMQP session can hold. */
const deliveriesPerReceiver = 2000;

export class ServiceBusClients {
    private readonly clients = new Map<string, ServiceBusClient>();

    constructor(private readonly options: ServiceBusHostOptions) {}

    get(connectionString: string): ServiceBusClient {
        let client = this.clients.get(connectionString);
        if (!client) {
            client = new ServiceBusClient(connectionString, { retryOptions: clientRetryOptionsOf(this.options) });
            this.clients.set(connectionString, client);
        }
        return client;
    }

    async closeAll(): Promise<void> {
        await Promise.all([...this.clients.values()].map((client) => client.close().catch(() => undefined)));
        this.clients.clear();
    }
}

/** How long one receive call waits for a first message; also bounds how long a stop waits for the loop. */
const receiveWaitMs = 1000;
/** Back-off after a failed receive, doubling up to the cap. */
const failureBackoff = { baseMs: 500, maxMs: 15_000 };

interface InFlight {
    readonly messages: readonly ServiceBusReceivedMessage[];
    settled: boolean;
    readonly done: Promise<void>;
}

export interface ServiceBusListenerOptions {
    readonly fn: IndexedFunction;
    readonly invoker: FunctionInvoker;
    readonly client: ServiceBusClient;
    readonly hostOptions: ServiceBusHostOptions;
    readonly log: HostLogger;
    readonly emit: HostEventSink;
}

export class ServiceBusTriggerListener {
    readonly queueName: string;
    private readonly batch: boolean;
    private readonly autoComplete: boolean;
    /**
     * Receivers, each on an AMQP session of its own: the Node SDK's session holds at most 2,048 unsettled deliveries
     * (rhea's session buffer), which Azure's host does not have, so a larger batch is filled from more receivers.
     */
    private receivers: ServiceBusReceiver[] = [];
    /** Which receiver took a message: it is settled through that receiver's link. */
    private receivedBy = new WeakMap<ServiceBusReceivedMessage, ServiceBusReceiver>();
    private stopping = false;
    private loop: Promise<void> | undefined;
    private inFlight: InFlight | undefined;
    private wakeUp: (() => void) | undefined;

    constructor(private readonly options: ServiceBusListenerOptions) {
        const trigger = options.fn.trigger;
        if (typeof trigger.queueName !== 'string' || trigger.queueName === '') {
            throw new Error(
                'only queue triggers are supported locally (topic subscriptions are not): queueName is missing',
            );
        }
        if (trigger.isSessionsEnabled === true) {
            throw new Error('session-enabled queues are not supported by the local host');
        }
        if ((trigger.properties as Record<string, unknown> | undefined)?.supportsDeferredBinding === 'true') {
            throw new Error('SDK type bindings (sdkBinding: true) need the Azure host; they are not supported locally');
        }
        this.queueName = trigger.queueName;
        this.batch = trigger.cardinality === 'many';
        this.autoComplete =
            typeof trigger.autoCompleteMessages === 'boolean'
                ? trigger.autoCompleteMessages
                : options.hostOptions.autoCompleteMessages;
    }

    /** What the listener does, for the "listening" line. */
    describe(): string {
        const mode = this.batch
            ? `batches of up to ${this.options.hostOptions.maxMessageBatchSize}`
            : 'one message at a time';
        return `queue ${this.queueName}, peek-lock, ${mode}${this.autoComplete ? '' : ', auto-complete off'}`;
    }

    start(): void {
        if (this.options.hostOptions.prefetchCount > 0) {
            this.hostLog(
                'warning',
                `host.json prefetchCount ${this.options.hostOptions.prefetchCount} is ignored: the local host receives without prefetch`,
            );
        }
        if (!this.autoComplete) {
            this.hostLog(
                'warning',
                'autoCompleteMessages is off: successful invocations leave their messages locked until the lock expires',
            );
        }
        this.loop = this.run();
    }

    /**
     * Stops receiving; waits up to `graceMs` for a running invocation to finish (its messages are then settled as
     * usual), abandons them otherwise, and closes the receiver. A receive under way is not aborted (the SDK would
     * drop what it already locked, leaving it locked until the lock expires); it ends within its wait time and
     * what it got is abandoned at once.
     */
    async stop(graceMs: number): Promise<void> {
        this.stopping = true;
        this.wakeUp?.();
        const inFlight = this.inFlight;
        if (inFlight) {
            const finished = await Promise.race([
                inFlight.done.then(() => true),
                new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
            ]);
            if (!finished) {
                if (!inFlight.settled) {
                    inFlight.settled = true;
                    await this.settle(inFlight.messages, 'abandon');
                }
                this.hostLog(
                    'warning',
                    `stopped while an invocation was running: its ${inFlight.messages.length} message(s) were abandoned`,
                );
                // The invocation cannot be cancelled; the process is going away, so its loop is not awaited.
                await this.closeReceiver();
                return;
            }
        }
        await this.loop;
        await this.closeReceiver();
    }

    private async run(): Promise<void> {
        let failures = 0;
        while (!this.stopping) {
            try {
                const messages = await this.receive();
                failures = 0;
                if (messages.length === 0) {
                    continue;
                }
                if (this.stopping) {
                    await this.settle(messages, 'abandon');
                    break;
                }
                if (this.batch) {
                    await this.dispatch(messages);
                } else {
                    for (const message of messages) {
                        await this.dispatch([message]);
                    }
                }
            } catch (error) {
                if (this.stopping) {
                    break;
                }
                failures++;
                const delay = Math.min(failureBackoff.maxMs, failureBackoff.baseMs * 2 ** (failures - 1));
                const message = error instanceof Error ? error.message : String(error);
                this.options.emit({ kind: 'listenerError', functionName: this.options.fn.name, message });
                this.hostLog('warning', `receive from ${this.queueName} failed (${message}); retrying in ${delay} ms`);
                await this.closeReceiver();
                await this.sleep(delay);
            }
        }
    }

    private receiverAt(index: number): ServiceBusReceiver {
        while (this.receivers.length <= index) {
            this.receivers.push(
                this.options.client.createReceiver(this.queueName, {
                    receiveMode: 'peekLock',
                    // The body goes to the worker as the host sends it (text or bytes); the library parses JSON itself.
                    skipParsingBodyAsJson: true,
                    // The host renews locks of single-message invocations only, up to maxAutoLockRenewalDuration.
                    maxAutoLockRenewalDurationInMs: this.batch
                        ? 0
                        : Math.max(0, this.options.hostOptions.maxAutoLockRenewalDuration),
                }),
            );
        }
        return this.receivers[index]!;
    }

    private async receive(): Promise<ServiceBusReceivedMessage[]> {
        const host = this.options.hostOptions;
        const max = this.batch ? host.maxMessageBatchSize : 1;
        const messages: ServiceBusReceivedMessage[] = [];
        const take = async (waitMs: number): Promise<void> => {
            const index = Math.floor(messages.length / deliveriesPerReceiver);
            const receiver = this.receiverAt(index);
            const room = Math.min(max, (index + 1) * deliveriesPerReceiver) - messages.length;
            // A copy: the SDK may still append to the array it returned when a delivery lands after the receive ended.
            const received = [...(await receiver.receiveMessages(room, { maxWaitTimeInMs: waitMs }))];
            for (const message of received) {
                this.receivedBy.set(message, receiver);
            }
            messages.push(...received);
        };
        await take(receiveWaitMs);
        if (this.batch && messages.length > 0 && messages.length < host.minMessageBatchSize) {
            // Wait for a fuller batch, at most maxBatchWaitTime after the first message (locks keep ticking).
            const deadline = Date.now() + host.maxBatchWaitTime;
            while (!this.stopping && messages.length < host.minMessageBatchSize && Date.now() < deadline) {
                await take(Math.max(1, deadline - Date.now()));
            }
        }
        return messages;
    }

    private async dispatch(messages: readonly ServiceBusReceivedMessage[]): Promise<void> {
        const fn = this.options.fn;
        const invocationId = randomUUID();
        const messageIds = messages.map(messageIdOf);
        let finish: () => void = () => undefined;
        const inFlight: InFlight = {
            messages,
            settled: false,
            done: new Promise<void>((resolve) => {
                finish = resolve;
            }),
        };
        this.inFlight = inFlight;
        this.options.emit({
            kind: 'invocationStarted',
            functionName: fn.name,
            invocationId,
            trigger: 'serviceBus',
            messageIds,
            deliveryCounts: messages.map(hostDeliveryCount),
        });
        try {
            const input = this.batch ? batchInput(messages, fn.name) : singleInput(messages[0]!, fn.name);
            const outcome = await this.options.invoker.invoke({ ...input, invocationId });
            let settlement: 'completed' | 'abandoned' | 'none' | 'abandonedAtStop' = 'abandonedAtStop';
            if (!inFlight.settled) {
                inFlight.settled = true;
                if (!outcome.ok) {
                    await this.settle(messages, 'abandon');
                    settlement = 'abandoned';
                } else if (this.autoComplete) {
                    await this.settle(messages, 'complete');
                    settlement = 'completed';
                } else {
                    settlement = 'none';
                }
            }
            this.options.emit({
                kind: 'invocationFinished',
                functionName: fn.name,
                invocationId,
                ok: outcome.ok,
                durationMs: outcome.durationMs,
                ...(outcome.ok ? {} : { error: outcome.error.message }),
                settlement,
                messageIds,
            });
        } finally {
            this.inFlight = undefined;
            finish();
        }
    }

    private async settle(messages: readonly ServiceBusReceivedMessage[], how: 'complete' | 'abandon'): Promise<void> {
        for (const message of messages) {
            const receiver = this.receivedBy.get(message);
            if (!receiver) {
                continue;
            }
            try {
                if (how === 'complete') {
                    await receiver.completeMessage(message);
                } else {
                    await receiver.abandonMessage(message);
                }
            } catch (error) {
                const reason = error instanceof Error ? error.message : String(error);
                this.options.emit({ kind: 'listenerError', functionName: this.options.fn.name, message: reason });
                this.hostLog('warning', `could not ${how} message ${messageIdOf(message)}: ${reason}`);
            }
        }
    }

    private async closeReceiver(): Promise<void> {
        const receivers = this.receivers;
        this.receivers = [];
        await Promise.all(receivers.map((receiver) => receiver.close().catch(() => undefined)));
    }

    private sleep(ms: number): Promise<void> {
        return new Promise((resolve) => {
            const timer = setTimeout(resolve, ms);
            this.wakeUp = () => {
                clearTimeout(timer);
                resolve();
            };
        });
    }

    private hostLog(level: 'information' | 'warning' | 'error', message: string): void {
        this.options.log({ time: new Date(), level, category: 'host', functionName: this.options.fn.name, message });
    }
}

function messageIdOf(message: ServiceBusReceivedMessage): string {
    const id = message.messageId;
    if (id === undefined || id === null) {
        return '';
    }
    return Buffer.isBuffer(id) ? id.toString('hex') : String(id);
}

/** The host reports the delivery count .NET-style: 1 on the first delivery (the AMQP header counts from 0). */
function hostDeliveryCount(message: ServiceBusReceivedMessage): number {
    return (message.deliveryCount ?? 0) + 1;
}

function bodyBytesOf(message: ServiceBusReceivedMessage): Uint8Array {
    const body: unknown = message.body;
    if (body instanceof Uint8Array) {
        return body;
    }
    if (typeof body === 'string') {
        return Buffer.from(body, 'utf8');
    }
    // AMQP value or sequence sections: the .NET extension serializes them; JSON is the closest local equivalent.
    return Buffer.from(JSON.stringify(body ?? null), 'utf8');
}

/** .NET's DateTime range ends at year 9999; a message without time to live expires at its MaxValue. */
function dotNetDate(date: Date | undefined): string | null {
    if (date === undefined || Number.isNaN(date.getTime())) {
        return null;
    }
    return date.getUTCFullYear() > 9999 ? '9999-12-31T23:59:59.999Z' : date.toISOString();
}

/** The binding data the .NET Service Bus extension gives one message, keys as it names them (PascalCase). */
function bindingDataOf(message: ServiceBusReceivedMessage): Record<string, unknown> {
    const properties = message.applicationProperties ?? {};
    return {
        DeliveryCount: hostDeliveryCount(message),
        DeadLetterSource: message.deadLetterSource ?? null,
        LockToken: message.lockToken ?? null,
        ExpiresAtUtc: dotNetDate(message.expiresAtUtc),
        ExpiresAt: dotNetDate(message.expiresAtUtc),
        EnqueuedTimeUtc: message.enqueuedTimeUtc ?? null,
        EnqueuedTime: message.enqueuedTimeUtc ?? null,
        MessageId: messageIdOf(message),
        ContentType: message.contentType ?? null,
        ReplyTo: message.replyTo ?? null,
        SequenceNumber: message.sequenceNumber?.toNumber() ?? null,
        To: message.to ?? null,
        Label: message.subject ?? null,
        Subject: message.subject ?? null,
        CorrelationId: message.correlationId === undefined ? null : String(message.correlationId),
        SessionId: message.sessionId ?? null,
        ReplyToSessionId: message.replyToSessionId ?? null,
        PartitionKey: message.partitionKey ?? null,
        TransactionPartitionKey: null,
        ApplicationProperties: properties,
        UserProperties: properties,
    };
}

function systemData(functionName: string): Record<string, unknown> {
    return { MethodName: functionName, UtcNow: new Date(), RandGuid: randomUUID() };
}

function singleInput(message: ServiceBusReceivedMessage, functionName: string): InvocationInput {
    const sequence = message.sequenceNumber?.toString() ?? '?';
    return {
        trigger: bodyTypedData(bodyBytesOf(message)),
        triggerMetadata: triggerMetadataOf({ ...bindingDataOf(message), sys: systemData(functionName) }),
        reason: `New ServiceBus message detected on '${messageIdOf(message)}' (sequence ${sequence})`,
    };
}

function batchInput(messages: readonly ServiceBusReceivedMessage[], functionName: string): InvocationInput {
    const perMessage = messages.map(bindingDataOf);
    const arrays: Record<string, unknown> = {};
    for (const key of Object.keys(perMessage[0] ?? {})) {
        arrays[`${key}Array`] = perMessage.map((data) => data[key]);
    }
    return {
        trigger: bodiesTypedData(messages.map(bodyBytesOf)),
        triggerMetadata: triggerMetadataOf({ ...arrays, sys: systemData(functionName) }),
        reason: `New ServiceBus batch of ${messages.length} message(s) detected`,
    };
}
