/** Graph v1.0 enumerations of the identity-protection resources (reference section 1.2). */

export const riskLevelValues = ['low', 'medium', 'high', 'hidden', 'none', 'unknownFutureValue'] as const;

export const riskStateValues = [
    'none',
    'confirmedSafe',
    'remediated',
    'dismissed',
    'atRisk',
    'confirmedCompromised',
    'unknownFutureValue',
] as const;

/** Members after `unknownFutureValue` are evolvable: sent only to clients that ask for them. */
export const riskDetailValues = [
    'none',
    'adminGeneratedTemporaryPassword',
    'userPerformedSecuredPasswordChange',
    'userPerformedSecuredPasswordReset',
    'adminConfirmedSigninSafe',
    'aiConfirmedSigninSafe',
    'userPassedMFADrivenByRiskBasedPolicy',
    'adminDismissedAllRiskForUser',
    'adminConfirmedSigninCompromised',
    'hidden',
    'adminConfirmedUserCompromised',
    'unknownFutureValue',
    'm365DAdminDismissedDetection',
] as const;

export const detectionTimingTypeValues = [
    'notDefined',
    'realtime',
    'nearRealtime',
    'offline',
    'unknownFutureValue',
] as const;

export const activityTypeValues = ['signin', 'user', 'unknownFutureValue'] as const;

export const tokenIssuerTypeValues = ['AzureAD', 'ADFederationServices', 'UnknownFutureValue'] as const;

/**
 * What Graph sends for an enum value when the client did not send `Prefer: include-unknown-enum-members`:
 * evolvable members (listed after `unknownFutureValue`) become `unknownFutureValue` (reference section 1.2).
 */
export function wireRiskDetail(value: string, includeUnknownMembers: boolean): string {
    if (includeUnknownMembers) {
        return value;
    }
    const index = (riskDetailValues as readonly string[]).indexOf(value);
    return index > riskDetailValues.indexOf('unknownFutureValue') ? 'unknownFutureValue' : value;
}
