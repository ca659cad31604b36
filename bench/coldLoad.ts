import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Median time, over `runs` fresh Node processes, to load the functions' entry modules (what the host does when it
 * indexes the app), measured inside the process so Node's own start is not counted.
 */
export function measureColdLoadMs(runs = 7): number {
    const functionsDir = resolve(__dirname, '..', 'functions');
    const entries = ['pollRiskDetections.js', 'remediateRisk.js', 'deliverNotifications.js'].filter((file) =>
        readdirSync(functionsDir).includes(file),
    );
    const program = `const t = performance.now(); for (const f of ${JSON.stringify(entries.map((file) => join(functionsDir, file)))}) require(f); process.stdout.write(String(performance.now() - t));`;
    const samples = Array.from({ length: runs }, () =>
        Number(execFileSync(process.execPath, ['-e', program], { stdio: ['ignore', 'pipe', 'ignore'] }).toString()),
    );
    samples.sort((a, b) => a - b);
    return Math.round(samples[Math.floor(samples.length / 2)]!);
}
