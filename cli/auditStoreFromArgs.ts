import { z } from 'zod';

import { AuditStore } from '../shared/remediation/auditStore';
import { auditFileIn, createAuditStore } from '../shared/remediation/createAuditStore';
import { FileAuditStore } from '../shared/remediation/fileAuditStore';
import { parseSettings } from '../shared/settings/parseSettings';
import { remediationSettingsSchema } from '../shared/settings/settings';

/** `--state-dir DIR` reads the local audit file of a local run; otherwise the store the settings name. */
export function auditStoreFromArgs(stateDir: string | undefined, env: NodeJS.ProcessEnv): AuditStore {
    if (stateDir) {
        return new FileAuditStore(auditFileIn(stateDir));
    }
    const settings = parseSettings(remediationSettingsSchema.and(z.object({ TENANT_ID: z.string().min(1) })), env);
    return createAuditStore(settings, settings.TENANT_ID);
}
