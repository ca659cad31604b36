import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import { join } from 'node:path';

import { RemediationSettings } from '../settings/settings';
import { AuditStore } from './auditStore';
import { FileAuditStore } from './fileAuditStore';
import { TableAuditStore } from './tableAuditStore';

/** The audit file inside a local state folder. */
export function auditFileIn(directory: string): string {
    return join(directory, 'audit.jsonl');
}

/** The audit store the settings select: Azure Table Storage (default) or JSON lines in a local folder. */
export function createAuditStore(settings: RemediationSettings, tenantId: string): AuditStore {
    if (settings.AUDIT_STORE === 'file') {
        return new FileAuditStore(auditFileIn(settings.AUDIT_DIR ?? '.state'));
    }
    return new TableAuditStore(createTableClient(settings), tenantId);
}

function createTableClient(settings: RemediationSettings): TableClient {
    const connection = settings.AzureWebJobsStorage;
    if (connection) {
        // Azurite speaks plain http on loopback; the SDK refuses that unless told it is intended.
        const allowInsecureConnection = /UseDevelopmentStorage=true|http:\/\/127\.0\.0\.1/i.test(connection);
        return TableClient.fromConnectionString(connection, settings.AUDIT_TABLE, { allowInsecureConnection });
    }
    const url =
        settings.AzureWebJobsStorage__tableServiceUri ??
        `https://${settings.AzureWebJobsStorage__accountName}.table.core.windows.net`;
    return new TableClient(url, settings.AUDIT_TABLE, new DefaultAzureCredential());
}
