/**
 * Links into the Entra admin center for messages. The portal documents no deep link to one risky user's
 * details pane, so each decision links the user's profile (its "Risk" details are one click away) and every
 * message links the Risky users report. Both are built from the configured portal root (ENTRA_PORTAL_URL, which
 * differs in national clouds) and an object id that is URL-encoded, so no detection text ever reaches a URL.
 */

/** The user's profile page in the Entra admin center. */
export function userPageUrl(portalUrl: string, userId: string): string {
    return `${portalUrl}/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/${encodeURIComponent(userId)}`;
}

/** The Risky users report of Identity Protection in the Entra admin center. */
export function riskyUsersReportUrl(portalUrl: string): string {
    return `${portalUrl}/#view/Microsoft_AAD_IAM/IdentityProtectionMenuBlade/~/RiskyUsers`;
}
