import { ChildProcess, spawn } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';

/** A running Azurite (blob, queue, table) on loopback, started from the npm package. */
export interface LocalAzurite {
    /** Explicit-endpoint connection string for the ports in use (the well-known development account). */
    readonly connectionString: string;
    readonly blobPort: number;
    readonly tablePort: number;
    readonly pid: number;
    stop(): Promise<void>;
}

/** Azurite's documented development account; public, not a secret. */
const account = 'devstoreaccount1';
const accountKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** A port the OS says is free right now. */
export async function findFreePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.unref();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            server.close(() =>
                typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
            );
        });
    });
}

function canConnect(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = new Socket();
        socket.once('connect', () => {
            socket.destroy();
            resolve(true);
        });
        socket.once('error', () => resolve(false));
        socket.connect(port, '127.0.0.1');
    });
}

/**
 * Starts Azurite with telemetry off, in memory (or persisted in `location`), on free loopback ports, and waits
 * until blob and table answer.
 */
export async function startAzurite(options: { location?: string } = {}): Promise<LocalAzurite> {
    const [blobPort, queuePort, tablePort] = [await findFreePort(), await findFreePort(), await findFreePort()];
    const bin = join(require.resolve('azurite/package.json'), '..', 'dist', 'src', 'azurite.js');
    const args = [
        bin,
        '--silent',
        '--disableTelemetry',
        '--skipApiVersionCheck',
        '--blobPort',
        String(blobPort),
        '--queuePort',
        String(queuePort),
        '--tablePort',
        String(tablePort),
        ...(options.location ? ['--location', options.location] : ['--inMemoryPersistence']),
    ];
    const child: ChildProcess = spawn(process.execPath, args, { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    while (!((await canConnect(blobPort)) && (await canConnect(tablePort)))) {
        if (child.exitCode !== null || Date.now() > deadline) {
            child.kill();
            throw new Error(`Azurite did not start (exit code ${child.exitCode ?? 'none'})`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const connectionString =
        `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${accountKey};` +
        `BlobEndpoint=http://127.0.0.1:${blobPort}/${account};QueueEndpoint=http://127.0.0.1:${queuePort}/${account};` +
        `TableEndpoint=http://127.0.0.1:${tablePort}/${account};`;
    return {
        connectionString,
        blobPort,
        tablePort,
        pid: child.pid ?? -1,
        stop: () =>
            new Promise<void>((resolve) => {
                if (child.exitCode !== null) {
                    resolve();
                    return;
                }
                child.once('exit', () => resolve());
                child.kill('SIGTERM');
            }),
    };
}
