/**
 * The AMQP 1.0 listener (rhea, plain TCP, SASL ANONYMOUS) and the routing of incoming link attaches:
 * `$cbs` and `<entity>/$management` request/response links, sender links into queues, and receiver links
 * on queues and their dead-letter sub-queues.
 */
import type { AddressInfo, Server, Socket } from 'node:net';
import { create_container } from 'rhea';
import type { Connection, EventContext, Receiver, Sender, link as Link } from 'rhea';
import { parseLinkAddress } from './entityAddress';
import { handleManagementRequest } from './managementOperations';
import { QueueReceiveLink } from './queueReceiveLink';
import { attachQueueSendLink } from './queueSendLink';
import type { QueueStore } from './queueStore';
import { attachRequestLink, handleCbsRequest, ReplyLinks } from './requestResponse';
import { abortConnection, echoSettleModes, type AmqpErrorFields } from './rheaInternals';

export interface AmqpServerOptions {
    host: string;
    /** 0 picks a free port. */
    port: number;
    maxMessageSizeBytes: number;
    store: QueueStore;
    log?: (message: string) => void;
}

export interface RunningAmqpServer {
    readonly port: number;
    /** Drops every connection and stops listening. */
    close(): Promise<void>;
}

/**
 * Deliveries a session may hold unsettled. rhea's default (2048) blocks a session once that many
 * deliveries wait for settlement, which a long-held or expired lock at the head of the buffer can cause.
 */
const sessionBufferSize = 65_536;

export async function startAmqpServer(options: AmqpServerOptions): Promise<RunningAmqpServer> {
    const { store, log } = options;
    const container = create_container({ id: 'service-bus-emulator' });
    const replyLinks = new ReplyLinks();
    const connections = new Set<Connection>();
    const sockets = new Set<Socket>();

    container.on('connection_open', (context: EventContext) => {
        connections.add(context.connection);
    });
    container.on('disconnected', (context: EventContext) => {
        connections.delete(context.connection);
    });
    container.on('connection_close', (context: EventContext) => {
        connections.delete(context.connection);
    });
    // Without listeners rhea writes these to the console (or throws, for 'error').
    container.on('error', (error: unknown) => log?.(`AMQP error: ${describe(error)}`));
    container.on('protocol_error', (error: unknown) => log?.(`AMQP protocol error: ${describe(error)}`));
    container.on('connection_error', (context: EventContext) => log?.(`connection error: ${describe(context.error)}`));
    for (const event of ['session_error', 'sender_error', 'receiver_error']) {
        container.on(event, () => log?.(`AMQP ${event.replace('_', ' ')}`));
    }

    container.on('sender_open', (context: EventContext) => {
        if (context.sender) {
            onClientReceiverAttached(context.sender);
        }
    });
    container.on('receiver_open', (context: EventContext) => {
        if (context.receiver) {
            onClientSenderAttached(context.receiver);
        }
    });

    /** The client receives: from a queue, or replies from $cbs / $management. */
    function onClientReceiverAttached(sender: Sender): void {
        const sourceAddress = sender.source?.address;
        const address = parseLinkAddress(sourceAddress);
        switch (address.kind) {
            case 'cbs':
            case 'management':
                acceptAttach(sender);
                replyLinks.register(sender);
                return;
            case 'entity': {
                if (asksForSession(sender)) {
                    refuseAttach(sender, {
                        condition: 'amqp:not-implemented',
                        description: 'The Service Bus emulator does not emulate sessions.',
                    });
                    return;
                }
                const queue = store.resolve(address.entity);
                if (!queue) {
                    refuseAttach(sender, notFound(sourceAddress));
                    return;
                }
                acceptAttach(sender);
                new QueueReceiveLink(sender, queue);
                log?.(`receiver attached to ${queue.settings.name}`);
                return;
            }
            case 'unsupported':
                refuseAttach(sender, { condition: 'amqp:not-implemented', description: address.reason });
                return;
        }
    }

    /** The client sends: into a queue, or requests to $cbs / $management. */
    function onClientSenderAttached(receiver: Receiver): void {
        const targetAddress = receiver.target?.address;
        const address = parseLinkAddress(targetAddress);
        switch (address.kind) {
            case 'cbs':
                acceptAttach(receiver);
                attachRequestLink(receiver, replyLinks, handleCbsRequest, log);
                return;
            case 'management': {
                const queue = store.resolve(address.entity);
                if (!queue) {
                    refuseAttach(receiver, notFound(targetAddress));
                    return;
                }
                acceptAttach(receiver);
                attachRequestLink(receiver, replyLinks, (request) => handleManagementRequest(queue, request), log);
                return;
            }
            case 'entity': {
                if (address.entity.subQueue !== 'none') {
                    refuseAttach(receiver, {
                        condition: 'amqp:not-allowed',
                        description: `Cannot send to the sub-queue "${String(targetAddress)}"`,
                    });
                    return;
                }
                const queue = store.resolve(address.entity);
                if (!queue) {
                    refuseAttach(receiver, notFound(targetAddress));
                    return;
                }
                acceptAttach(receiver);
                attachQueueSendLink(receiver, queue, { maxMessageSizeBytes: options.maxMessageSizeBytes, log });
                return;
            }
            case 'unsupported':
                refuseAttach(receiver, { condition: 'amqp:not-implemented', description: address.reason });
                return;
        }
    }

    const senderOptions = { max_message_size: options.maxMessageSizeBytes, treat_modified_as_released: false };
    const receiverOptions = { max_message_size: options.maxMessageSizeBytes, autoaccept: false, credit_window: 1000 };
    const server: Server = container.listen({
        host: options.host,
        port: options.port,
        session_buffer_size: sessionBufferSize,
        sender_options: senderOptions,
        receiver_options: receiverOptions,
    });
    server.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
        const onError = (error: Error): void => reject(error);
        server.once('error', onError);
        server.once('listening', () => {
            server.off('error', onError);
            server.on('error', (error: Error) => log?.(`listener error: ${error.message}`));
            resolve();
        });
    });
    const port = (server.address() as AddressInfo).port;
    log?.(`Service Bus emulator listening on ${options.host}:${port}`);

    return {
        port,
        async close(): Promise<void> {
            const closed = new Promise<void>((resolve) => server.close(() => resolve()));
            for (const connection of connections) {
                abortConnection(connection);
            }
            connections.clear();
            for (const socket of sockets) {
                socket.on('error', () => undefined);
                socket.destroy();
            }
            await closed;
        },
    };
}

/** Answers the attach with the client's own terminus and settle modes. */
function acceptAttach(link: Link): void {
    link.set_source({ address: link.source?.address });
    link.set_target({ address: link.target?.address });
    echoSettleModes(link);
}

/** Answers the attach with no terminus, then detaches with the error: AMQP's way to refuse a link. */
function refuseAttach(link: Link, error: AmqpErrorFields): void {
    link.close(error);
}

/** A session receiver puts a `com.microsoft:session-filter` on its source. */
function asksForSession(sender: Sender): boolean {
    const filter: unknown = sender.source?.filter;
    return typeof filter === 'object' && filter !== null && 'com.microsoft:session-filter' in filter;
}

function notFound(address: string | undefined): AmqpErrorFields {
    return {
        condition: 'amqp:not-found',
        description: `The messaging entity "${String(address)}" could not be found (autoCreateQueues is off).`,
    };
}

function describe(error: unknown): string {
    if (error instanceof Error) {
        return error.message;
    }
    return typeof error === 'string' ? error : JSON.stringify(error);
}
