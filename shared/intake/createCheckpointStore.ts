import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';

import { CheckpointSettings } from '../settings/settings';
import { BlobCheckpointStore } from './blobCheckpointStore';
import { CheckpointStore } from './checkpoint';
import { FileCheckpointStore } from './fileCheckpointStore';

/** The checkpoint store the settings select: a local folder, or a blob in the Functions storage account. */
export function createCheckpointStore(settings: CheckpointSettings, tenantId: string): CheckpointStore {
    if (settings.CHECKPOINT_STORE === 'file') {
        return new FileCheckpointStore(settings.CHECKPOINT_DIR ?? '.state', tenantId);
    }
    const service = createBlobServiceClient(settings);
    return new BlobCheckpointStore(service.getContainerClient(settings.CHECKPOINT_CONTAINER), tenantId);
}

/** Blob service from AzureWebJobsStorage (connection string) or its identity-based form. */
export function createBlobServiceClient(settings: CheckpointSettings): BlobServiceClient {
    if (settings.AzureWebJobsStorage) {
        return BlobServiceClient.fromConnectionString(settings.AzureWebJobsStorage);
    }
    const url =
        settings.AzureWebJobsStorage__blobServiceUri ??
        `https://${settings.AzureWebJobsStorage__accountName}.blob.core.windows.net`;
    return new BlobServiceClient(url, new DefaultAzureCredential());
}
