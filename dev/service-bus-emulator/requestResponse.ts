/**
 * Request/response over AMQP, as used by the CBS node (`$cbs`) and every entity's `$management` node:
 * the client sends requests on one link and names, in `reply-to`, the receiver link that gets the answer
 * (by link name for CBS, by target address for $management).
 */
import type { Connection, EventContext, Message, Receiver, Sender } from 'rhea';

/** An answer to a request. 2xx means success; anything else becomes an error in the SDK. */
export interface RequestReply {
    statusCode: number;
    statusDescription: string;
    /** AMQP error condition for failures, e.g. `com.microsoft:message-lock-lost`. */
    errorCondition?: string;
    /** The reply's amqp-value body. */
    body?: unknown;
}

/** A request as the handlers see it. */
export interface ManagementRequest {
    /** The `operation` application property. */
    readonly operation: string;
    /** The decoded amqp-value body (a map for every $management operation). */
    readonly body: unknown;
}

/** The client's reply links, per connection, by link name and by target address. */
export class ReplyLinks {
    private readonly byConnection = new WeakMap<Connection, Map<string, Sender>>();

    register(sender: Sender): void {
        let links = this.byConnection.get(sender.connection);
        if (!links) {
            links = new Map();
            this.byConnection.set(sender.connection, links);
        }
        const keys = [sender.name, sender.target?.address].filter((key): key is string => typeof key === 'string');
        for (const key of keys) {
            links.set(key, sender);
        }
        sender.on('sender_close', () => {
            for (const key of keys) {
                if (links.get(key) === sender) {
                    links.delete(key);
                }
            }
        });
    }

    find(connection: Connection, replyTo: string): Sender | undefined {
        return this.byConnection.get(connection)?.get(replyTo);
    }
}

/** Answers each request arriving on the link through the client's reply link. */
export function attachRequestLink(
    receiver: Receiver,
    replyLinks: ReplyLinks,
    handle: (request: ManagementRequest) => RequestReply,
    log?: (message: string) => void,
): void {
    receiver.on('message', (context: EventContext) => {
        context.delivery?.accept();
        const request: RequestMessage | undefined = context.message;
        if (!request) {
            return;
        }
        const replyTo = request.reply_to;
        const replyLink = typeof replyTo === 'string' ? replyLinks.find(context.connection, replyTo) : undefined;
        const operation = request.application_properties?.operation;
        if (!replyLink) {
            log?.(`no reply link "${String(replyTo)}" for a request to ${String(receiver.target?.address)}`);
            return;
        }
        let reply: RequestReply;
        try {
            reply = handle({ operation: typeof operation === 'string' ? operation : '', body: request.body });
        } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            log?.(`request ${String(operation)} failed: ${reason}`);
            reply = { statusCode: 500, statusDescription: reason, errorCondition: 'amqp:internal-error' };
        }
        replyLink.send(replyMessage(request.message_id, reply));
    });
}

/** The CBS node: any token is accepted, for any audience. */
export function handleCbsRequest(request: ManagementRequest): RequestReply {
    if (request.operation !== 'put-token') {
        return {
            statusCode: 400,
            statusDescription: `Unsupported CBS operation "${request.operation}"`,
            errorCondition: 'com.microsoft:argument-error',
        };
    }
    return { statusCode: 202, statusDescription: 'Accepted' };
}

interface RequestMessage {
    reply_to?: unknown;
    message_id?: unknown;
    application_properties?: { operation?: unknown };
    body?: unknown;
}

function replyMessage(correlationId: unknown, reply: RequestReply): Message {
    const applicationProperties: Record<string, unknown> = {
        // core-amqp reads `status-code`; the SDK's peek compares the camel-case `statusCode` with 204.
        statusCode: reply.statusCode,
        'status-code': reply.statusCode,
        statusDescription: reply.statusDescription,
        'status-description': reply.statusDescription,
    };
    if (reply.errorCondition !== undefined) {
        applicationProperties['error-condition'] = reply.errorCondition;
    }
    const message: Message = { application_properties: applicationProperties, body: reply.body ?? null };
    if (typeof correlationId === 'string' || typeof correlationId === 'number' || Buffer.isBuffer(correlationId)) {
        message.correlation_id = correlationId;
    }
    return message;
}
