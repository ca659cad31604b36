/** What every message says besides its entries. */
export interface MessageContext {
    /** Tenant the decisions belong to (shown in the footer). */
    readonly tenantId: string;
    /** Entra admin center root for links, e.g. https://entra.microsoft.com (ENTRA_PORTAL_URL). */
    readonly portalUrl: string;
}

/** What a digest says besides its decisions. */
export interface DigestContext extends MessageContext {
    /** Who the digest is for, as shown: `owner "secops"`, `the manager of these users`. Our text. */
    readonly recipient: string;
    /** Per user id: what happened to the manager notification, shown as a fact in owners' digests. */
    readonly managerNotes?: ReadonlyMap<string, string>;
}
