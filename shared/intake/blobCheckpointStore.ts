import { ContainerClient, RestError } from '@azure/storage-blob';

import { AppError } from '../errors';
import { Checkpoint, CheckpointStore } from './checkpoint';
import { parseCheckpoint } from './fileCheckpointStore';

/**
 * Checkpoint as a JSON blob in the Functions storage account, with ETag concurrency: a write succeeds only if
 * the blob is still the one read (or still absent), so two pollers can never both advance it.
 */
export class BlobCheckpointStore implements CheckpointStore {
    private etag: string | undefined;
    private readonly blobName: string;
    private containerReady = false;

    constructor(
        private readonly container: ContainerClient,
        tenantId: string,
    ) {
        this.blobName = `intake/checkpoint-${tenantId}.json`;
    }

    async read(): Promise<Checkpoint | undefined> {
        const blob = this.container.getBlockBlobClient(this.blobName);
        try {
            // One download gives the content and the ETag of that same content.
            const response = await blob.download();
            const text = await readStream(response.readableStreamBody);
            this.etag = response.etag;
            return parseCheckpoint(text, `${this.container.containerName}/${this.blobName}`);
        } catch (error) {
            if (error instanceof RestError && error.statusCode === 404) {
                this.etag = undefined;
                return undefined;
            }
            if (error instanceof AppError) {
                throw error;
            }
            throw new AppError('storage.failed', `Cannot read checkpoint blob ${this.blobName}`, true, {
                cause: error,
            });
        }
    }

    async write(next: Checkpoint): Promise<void> {
        await this.ensureContainer();
        const blob = this.container.getBlockBlobClient(this.blobName);
        const text = JSON.stringify(next);
        try {
            const response = await blob.upload(text, Buffer.byteLength(text), {
                blobHTTPHeaders: { blobContentType: 'application/json' },
                conditions: this.etag ? { ifMatch: this.etag } : { ifNoneMatch: '*' },
            });
            this.etag = response.etag;
        } catch (error) {
            if (error instanceof RestError && (error.statusCode === 412 || error.statusCode === 409)) {
                throw new AppError(
                    'checkpoint.conflict',
                    `Checkpoint blob ${this.blobName} changed since it was read`,
                    true,
                    { cause: error },
                );
            }
            throw new AppError('storage.failed', `Cannot write checkpoint blob ${this.blobName}`, true, {
                cause: error,
            });
        }
    }

    private async ensureContainer(): Promise<void> {
        if (!this.containerReady) {
            await this.container.createIfNotExists();
            this.containerReady = true;
        }
    }
}

async function readStream(stream: NodeJS.ReadableStream | undefined): Promise<string> {
    if (!stream) {
        return '';
    }
    const chunks: Buffer[] = [];
    for await (const chunk of stream) {
        chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
}
