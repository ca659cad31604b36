import { z } from 'zod';

/**
 * The message a Teams Workflows webhook expects (reference section 13.3): an envelope with one Adaptive Card
 * attachment. Cards target version 1.4, what Teams renders safely for webhook-posted informational cards, and
 * use only elements of 1.4 and `Action.OpenUrl` (no bot, so no submit actions). Pure code.
 */

/** The attachment content type of an Adaptive Card. */
export const adaptiveCardContentType = 'application/vnd.microsoft.card.adaptive';
/** The Adaptive Card version every card targets. */
export const adaptiveCardVersion = '1.4';

/**
 * Largest serialized envelope we post, in UTF-8 bytes. Teams refuses messages above about 28 KB (413, reference
 * 13.2); 4 KB of margin covers what Workflows adds around the card.
 */
export const maxTeamsMessageBytes = 24 * 1024;

/** Text colours of Adaptive Cards 1.4. */
export type CardColor = 'Default' | 'Good' | 'Warning' | 'Attention' | 'Accent';
/** Container styles of Adaptive Cards 1.4. */
export type ContainerStyle = 'default' | 'emphasis' | 'good' | 'warning' | 'attention' | 'accent';

/** A TextBlock; its text is markdown in Teams, so untrusted parts must be escaped with `escapeCardText`. */
export interface TextBlock {
    type: 'TextBlock';
    text: string;
    wrap: true;
    weight?: 'Bolder';
    size?: 'Small' | 'Medium' | 'Large';
    color?: CardColor;
    isSubtle?: boolean;
    spacing?: 'None' | 'Small' | 'Medium';
}

/** A FactSet; titles and values are markdown in Teams as well. */
export interface FactSet {
    type: 'FactSet';
    facts: Array<{ title: string; value: string }>;
}

/** A link action; the URL is always ours (portal root plus an encoded id). */
export interface OpenUrlAction {
    type: 'Action.OpenUrl';
    title: string;
    url: string;
}

/** Actions inside the body, next to the entry they belong to. */
export interface ActionSet {
    type: 'ActionSet';
    actions: OpenUrlAction[];
}

/** A group of elements, optionally styled and separated from the previous one. */
export interface Container {
    type: 'Container';
    items: CardElement[];
    style?: ContainerStyle;
    separator?: boolean;
    spacing?: 'Small' | 'Medium' | 'Large';
    bleed?: boolean;
}

/** The elements our cards use. */
export type CardElement = TextBlock | FactSet | Container | ActionSet;

/** An Adaptive Card 1.4. */
export interface AdaptiveCard {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
    type: 'AdaptiveCard';
    version: typeof adaptiveCardVersion;
    body: CardElement[];
    actions?: OpenUrlAction[];
    /** Teams-specific: use the full width of the conversation. Other hosts ignore it. */
    msteams?: { width: 'Full' };
}

/** The envelope as posted to the webhook; also the contract of Teams delivery jobs. */
export const teamsMessageSchema = z.object({
    type: z.literal('message'),
    attachments: z
        .array(
            z.object({
                contentType: z.literal(adaptiveCardContentType),
                contentUrl: z.null(),
                content: z.record(z.string(), z.unknown()),
            }),
        )
        .min(1),
});

/** The Workflows webhook envelope. */
export type TeamsMessage = z.infer<typeof teamsMessageSchema>;

/** Wraps a card in the envelope Workflows expects. */
export function wrapCard(card: AdaptiveCard): TeamsMessage {
    return {
        type: 'message',
        attachments: [{ contentType: adaptiveCardContentType, contentUrl: null, content: card as unknown as Record<string, unknown> }],
    };
}

/** A new empty card of our version. */
export function newCard(body: CardElement[], actions: OpenUrlAction[] = []): AdaptiveCard {
    return {
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        type: 'AdaptiveCard',
        version: adaptiveCardVersion,
        msteams: { width: 'Full' },
        body,
        ...(actions.length > 0 ? { actions } : {}),
    };
}
