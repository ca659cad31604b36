import { GraphApi } from './graphApi';

/** One email as the app sends it: HTML body, plain recipients, and a correlation header. */
export interface OutgoingMail {
    subject: string;
    html: string;
    to: readonly string[];
    /** Goes out as the `x-risk-responder-job` internet header, so a received mail can be traced to its job. */
    correlationId: string;
}

/**
 * Sends mail from `sender` (UPN or id) with Graph's JSON sendMail (reference section 10): application permission
 * Mail.Send, scoped to that mailbox with Exchange RBAC for Applications. Graph answers 202 (queued, not yet
 * delivered). The message resource has one body, so the HTML is sent; Sent Items is not kept, since the delivery
 * log is the record. Throttling and transient failures are retried inside the Graph client.
 */
export async function sendMail(graph: GraphApi, sender: string, mail: OutgoingMail): Promise<void> {
    await graph.post(`users/${encodeURIComponent(sender)}/sendMail`, {
        message: {
            subject: mail.subject,
            body: { contentType: 'HTML', content: mail.html },
            toRecipients: mail.to.map((address) => ({ emailAddress: { address } })),
            internetMessageHeaders: [{ name: 'x-risk-responder-job', value: mail.correlationId }],
        },
        saveToSentItems: false,
    });
}
