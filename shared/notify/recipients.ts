import { z } from 'zod';

import { ensureError } from '../errors';
import type { Manager } from '../graph/directory';
import { managerRecipient, Owner } from '../rules/ruleSchema';
import { DecisionReport } from './notifier';

/**
 * Who hears about which decision: the owners a decision's `notify` list names (from the rules file), and
 * `manager`, the user's manager from the directory. Grouping is pure; manager lookups go through a port and are
 * cached for one batch.
 */

/** The `owners` of the rules file: name -> Teams webhook and/or email list. */
export type Owners = Readonly<Record<string, Owner>>;

/** Looks up a user's manager (Graph `GET users/{id}/manager` in production). */
export interface ManagerDirectory {
    /** The manager, or null when the user has none. Throws on a failure that retrying may fix. */
    managerOf(userId: string): Promise<Manager | null>;
}

/** What the manager lookup of one user found. */
export type ManagerLookup =
    | { readonly kind: 'found'; readonly managerId: string; readonly name: string; readonly address: string }
    | { readonly kind: 'noManager' }
    | { readonly kind: 'noMailbox'; readonly managerId: string; readonly name: string }
    | { readonly kind: 'failed'; readonly reason: string };

/** The notify names of the batch and the decisions each one subscribed to, in report order. */
export function decisionsByRecipient(reports: readonly DecisionReport[]): Map<string, DecisionReport[]> {
    const byName = new Map<string, DecisionReport[]>();
    for (const report of reports) {
        for (const name of new Set(report.notify)) {
            byName.set(name, [...(byName.get(name) ?? []), report]);
        }
    }
    return byName;
}

/** The decisions whose notify list names the user's manager. */
export function decisionsForManagers(reports: readonly DecisionReport[]): DecisionReport[] {
    return reports.filter((report) => report.notify.includes(managerRecipient));
}

const mailAddress = z.email();

/**
 * Looks up the managers of `userIds`, each user once (the cache lives as long as the returned map: one batch).
 * A lookup that throws is recorded as `failed` with its reason, never rethrown: the batch goes on.
 */
export async function lookUpManagers(userIds: readonly string[], directory: ManagerDirectory): Promise<Map<string, ManagerLookup>> {
    const lookups = new Map<string, ManagerLookup>();
    for (const userId of new Set(userIds)) {
        lookups.set(userId, await lookUpManager(userId, directory));
    }
    return lookups;
}

async function lookUpManager(userId: string, directory: ManagerDirectory): Promise<ManagerLookup> {
    let manager: Manager | null;
    try {
        manager = await directory.managerOf(userId);
    } catch (error) {
        return { kind: 'failed', reason: ensureError(error).message };
    }
    if (manager === null) {
        return { kind: 'noManager' };
    }
    const name = manager.displayName ?? manager.userPrincipalName ?? manager.id;
    const address = manager.mail ?? undefined;
    return address !== undefined && mailAddress.safeParse(address).success
        ? { kind: 'found', managerId: manager.id, name, address }
        : { kind: 'noMailbox', managerId: manager.id, name };
}

/** What owners' digests say about the manager notification of a user. Our text plus the manager's name. */
export function describeManagerLookup(lookup: ManagerLookup): string {
    switch (lookup.kind) {
        case 'found':
            return `${lookup.name}: notified by email`;
        case 'noManager':
            return 'none in the directory: not notified';
        case 'noMailbox':
            return `${lookup.name} has no mailbox: not notified`;
        case 'failed':
            return 'lookup failed: the manager is looked up again when the email is sent';
        default:
            return assertNever(lookup);
    }
}

function assertNever(value: never): never {
    throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
