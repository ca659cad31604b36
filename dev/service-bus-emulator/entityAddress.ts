/**
 * What a link address names: the CBS node, an entity's $management node, or a queue (or its dead-letter
 * sub-queue). Addresses may be absolute (`sb://host/queue`) and are compared case-insensitively, as
 * Service Bus does.
 */

/** A queue or one of its sub-queues. */
export interface EntityPath {
    /** The queue name as the client spelled it. */
    readonly queueName: string;
    readonly subQueue: 'none' | 'deadLetter';
}

export type LinkAddress =
    | { readonly kind: 'cbs' }
    | { readonly kind: 'management'; readonly entity: EntityPath }
    | { readonly kind: 'entity'; readonly entity: EntityPath }
    | { readonly kind: 'unsupported'; readonly reason: string };

const managementSuffix = '/$management';
const deadLetterSuffix = '/$deadletterqueue';

/** Classifies a link's source or target address. */
export function parseLinkAddress(address: string | undefined): LinkAddress {
    const path = stripScheme(address ?? '');
    if (path.length === 0) {
        return { kind: 'unsupported', reason: 'the link has no address' };
    }
    if (path.toLowerCase() === '$cbs') {
        return { kind: 'cbs' };
    }
    if (path.toLowerCase().endsWith(managementSuffix)) {
        const entity = parseEntityPath(path.slice(0, -managementSuffix.length));
        return typeof entity === 'string' ? { kind: 'unsupported', reason: entity } : { kind: 'management', entity };
    }
    const entity = parseEntityPath(path);
    return typeof entity === 'string' ? { kind: 'unsupported', reason: entity } : { kind: 'entity', entity };
}

/** The key a queue is stored under: its name, lower-cased. */
export function queueKey(queueName: string): string {
    return queueName.toLowerCase();
}

function parseEntityPath(path: string): EntityPath | string {
    const lower = path.toLowerCase();
    const isDeadLetter = lower.endsWith(deadLetterSuffix);
    const queueName = isDeadLetter ? path.slice(0, -deadLetterSuffix.length) : path;
    if (queueName.length === 0 || queueName.startsWith('$')) {
        return `"${path}" is not a queue`;
    }
    if (queueName.toLowerCase().includes('/subscriptions/')) {
        return `topics and subscriptions are not emulated ("${path}")`;
    }
    return { queueName, subQueue: isDeadLetter ? 'deadLetter' : 'none' };
}

function stripScheme(address: string): string {
    const withoutScheme = address.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
    return withoutScheme.replace(/^\/+/, '').replace(/\/+$/, '');
}
