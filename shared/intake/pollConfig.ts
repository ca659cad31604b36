import { GraphSettings, IntakeSettings, queuedLevels } from '../settings/settings';
import { PollConfig } from './pollOnce';

const minute = 60_000;

/** The poll cycle's configuration from app settings. */
export function pollConfigFromSettings(settings: GraphSettings & IntakeSettings, since?: Date): PollConfig {
    return {
        tenantId: settings.TENANT_ID,
        levels: queuedLevels(settings),
        overlapMs: settings.POLL_OVERLAP_MINUTES * minute,
        initialLookbackMs: settings.INITIAL_LOOKBACK_HOURS * 60 * minute,
        timeBudgetMs: settings.POLL_TIME_BUDGET_SECONDS * 1000,
        ...(since ? { since } : {}),
    };
}
