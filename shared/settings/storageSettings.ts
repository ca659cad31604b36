import { z } from 'zod';

/**
 * The Functions storage account, shared by the checkpoint blob, the audit table and the delivery log; the same
 * keys the host reads for AzureWebJobsStorage.
 */
export const storageShape = {
    /** Storage connection string (Azurite: UseDevelopmentStorage=true). Secret. */
    AzureWebJobsStorage: z.string().min(1).optional(),
    /** Storage account name, reached with the managed identity (the host's identity-based form). */
    AzureWebJobsStorage__accountName: z.string().min(1).optional(),
    /** Blob endpoint for identity-based access in sovereign clouds. Optional. */
    AzureWebJobsStorage__blobServiceUri: z.url().optional(),
    /** Table endpoint for identity-based access in sovereign clouds. Optional. */
    AzureWebJobsStorage__tableServiceUri: z.url().optional(),
};

/** True when a storage account is configured in either form. */
export function hasStorage(value: {
    AzureWebJobsStorage?: string | undefined;
    AzureWebJobsStorage__accountName?: string | undefined;
}): boolean {
    return Boolean(value.AzureWebJobsStorage ?? value.AzureWebJobsStorage__accountName);
}
