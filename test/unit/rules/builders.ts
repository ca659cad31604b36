import type { Detection } from '../../../shared/detection';
import type { UserFacts } from '../../../shared/rules/evaluateRules';
import { rulesFileSchema, type RulesFile, type RulesFileInput } from '../../../shared/rules/ruleSchema';

/** Synthetic ids: contoso-style names, fixed GUIDs, no tenant data. */
export const adele = { id: '5f1c2b9e-8a47-4d3e-9a61-2c7d0e4b8f10', upn: 'AdeleV@contoso.example' } as const;
export const megan = { id: '0b6e7a52-3c1d-4f89-b2a0-9d4e5f6a7b81', upn: 'MeganB@contoso.example' } as const;
export const breakGlassGroup = '7a3d9c1e-2b4f-4e6a-8c0d-1f2e3a4b5c6d';
export const vipGroup = 'c2d4e6f8-1a3b-4c5d-9e0f-a1b2c3d4e5f6';

/** A high, at-risk, real-time sign-in detection for Adele; override what a test is about. */
export function aDetection(overrides: Partial<Detection> = {}): Detection {
    return {
        id: 'det-1',
        userId: adele.id,
        userPrincipalName: adele.upn,
        riskEventType: 'unfamiliarFeatures',
        riskLevel: 'high',
        riskState: 'atRisk',
        detectionTimingType: 'realtime',
        activity: 'signin',
        lastUpdatedDateTime: '2025-06-01T10:00:00Z',
        ipAddress: '198.51.100.7',
        location: { city: 'Seattle', state: 'Washington', countryOrRegion: 'US' },
        source: 'IdentityProtection',
        ...overrides,
    };
}

/** A rules file from its written form (defaults applied, cross-field checks run). */
export function rulesFile(input: Omit<RulesFileInput, 'version'>): RulesFile {
    return rulesFileSchema.parse({ version: 1, ...input });
}

/** Facts for a user in no group the rules name. */
export const noGroups: UserFacts = { userGroupIds: new Set<string>() };
