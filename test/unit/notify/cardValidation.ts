/**
 * Validates cards with Microsoft's `adaptivecards` package (reference section 17): its `main` is ES-module code
 * Node cannot load, so the bundled build is required instead, typed with the package's own declarations.
 * Parse events (unknown element types, invalid property values, elements newer than 1.4) and validation events
 * (missing required properties) are returned as messages; the structural checks the package does not do
 * (envelope, version, size) are asserted by `expectValidTeamsMessage`.
 */
import type * as AdaptiveCards from 'adaptivecards';

import { adaptiveCardContentType, maxTeamsMessageBytes } from '../../../shared/notify/teamsMessage';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundled build is the only one Node loads
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;

/** Problems the package reports for a card parsed as version 1.4. */
export function adaptiveCardProblems(card: unknown): string[] {
    const parsed = new AC.AdaptiveCard();
    const context = new AC.SerializationContext(AC.Versions.v1_4);
    parsed.parse(card, context);
    const problems: string[] = [];
    for (let i = 0; i < context.eventCount; i++) {
        problems.push(context.getEventAt(i).message);
    }
    problems.push(...parsed.validateProperties().validationEvents.map((event) => event.message));
    return problems;
}

/** The envelope Workflows expects, one 1.4 card, within our size limit, and no problem the package sees. */
export function expectValidTeamsMessage(message: unknown): Record<string, unknown> {
    expect(message).toEqual({
        type: 'message',
        attachments: [{ contentType: adaptiveCardContentType, contentUrl: null, content: expect.any(Object) }],
    });
    const card = (message as { attachments: Array<{ content: Record<string, unknown> }> }).attachments[0]!.content;
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json' });
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(maxTeamsMessageBytes);
    expect(adaptiveCardProblems(card)).toEqual([]);
    expect(elementTypes(card)).toEqual(expect.arrayContaining(['TextBlock']));
    expect(elementTypes(card).filter((type) => !allowedTypes.has(type))).toEqual([]);
    return card;
}

/** Elements and actions of Adaptive Cards 1.4 our cards may use; webhook cards have no bot, so no submit actions. */
const allowedTypes = new Set(['TextBlock', 'FactSet', 'Container', 'ActionSet', 'Action.OpenUrl']);

/** Every element and action type in the card, depth first. */
export function elementTypes(node: unknown): string[] {
    if (Array.isArray(node)) {
        return node.flatMap(elementTypes);
    }
    if (typeof node !== 'object' || node === null) {
        return [];
    }
    const record = node as Record<string, unknown>;
    const own = typeof record.type === 'string' && record.type !== 'AdaptiveCard' ? [record.type] : [];
    return [...own, ...elementTypes(record.body), ...elementTypes(record.items), ...elementTypes(record.actions)];
}

/** Every text a reader sees in the card: TextBlock texts, fact titles and values, action titles. */
export function cardTexts(node: unknown): string[] {
    if (Array.isArray(node)) {
        return node.flatMap(cardTexts);
    }
    if (typeof node !== 'object' || node === null) {
        return [];
    }
    const record = node as Record<string, unknown>;
    const own: string[] = [];
    if (record.type === 'TextBlock' && typeof record.text === 'string') {
        own.push(record.text);
    }
    if (record.type === 'FactSet' && Array.isArray(record.facts)) {
        for (const fact of record.facts as Array<{ title: string; value: string }>) {
            own.push(fact.title, fact.value);
        }
    }
    if (record.type === 'Action.OpenUrl' && typeof record.title === 'string') {
        own.push(record.title);
    }
    return [...own, ...cardTexts(record.body), ...cardTexts(record.items), ...cardTexts(record.actions)];
}

/** Every URL an action of the card opens. */
export function cardUrls(node: unknown): string[] {
    if (Array.isArray(node)) {
        return node.flatMap(cardUrls);
    }
    if (typeof node !== 'object' || node === null) {
        return [];
    }
    const record = node as Record<string, unknown>;
    const own = record.type === 'Action.OpenUrl' && typeof record.url === 'string' ? [record.url] : [];
    return [...own, ...cardUrls(record.body), ...cardUrls(record.items), ...cardUrls(record.actions)];
}
