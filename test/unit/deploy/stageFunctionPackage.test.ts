/**
 * The deployment package azd uploads (azure.yaml prepackage hook): what .funcignore keeps, never local secrets or
 * dev tools, and always the rules file the app loads. Issue #7.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import {
    isIgnored,
    parseIgnoreFile,
    selectPackageFiles,
    stageFunctionPackage,
} from '../../../dev/deploy/stageFunctionPackage';
import { repoRoot } from './bicepText';

const funcignore = readFileSync(join(repoRoot, '.funcignore'), 'utf8');

const validRules = `version: 1
owners:
  secops: { teams: '\${TEAMS_SECOPS_WEBHOOK}' }
rules:
  - id: leaked-credentials
    when: { riskEventType: [leakedCredentials] }
    then: { action: confirmCompromised, notify: [secops] }
`;

/** A project tree like the repository after `npm ci && npm run build`, with the files a package must not carry. */
function makeProject(files: Record<string, string> = {}): string {
    const root = mkdtempSync(join(tmpdir(), 'rr-stage-'));
    const tree: Record<string, string> = {
        '.funcignore': funcignore,
        'package.json': JSON.stringify({ name: 'x', main: 'dist/functions/*.js' }),
        'package-lock.json': '{}',
        'host.json': '{"version":"2.0"}',
        'rules.yaml': validRules,
        'rules.sample.yaml': validRules,
        'README.md': '# x',
        'azure.yaml': 'name: x',
        'local.settings.json': '{"Values":{"ServiceBusConnection":"secret"}}',
        '.azure/prod/.env': 'TEAMS_SECOPS_WEBHOOK_URL="https://example.invalid/secret"',
        '.state/audit.jsonl': '{}',
        'functions/pollRiskDetections.ts': '',
        'shared/settings/settings.ts': '',
        'cli/main.ts': '',
        'dev/host/coreApi.ts': '',
        'test/unit/a.test.ts': '',
        'infra/main.bicep': '',
        'docs/deploy.md': '',
        'node_modules/typescript/package.json': '{}',
        'dist/functions/pollRiskDetections.js': '',
        'dist/functions/pollRiskDetections.js.map': '',
        'dist/shared/settings/settings.js': '',
        'dist/cli/main.js': '',
        'dist/dev/host/coreApi.js': '',
        'dist/test/unit/a.test.js': '',
        'dist/azure-package/host.json': 'stale',
        ...files,
    };
    for (const [path, content] of Object.entries(tree)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), content);
    }
    return root;
}

describe('.funcignore matching (issue #7)', () => {
    it.each([
        ['/dist/dev/', 'dist/dev', true, true],
        ['/dist/dev/', 'dist/dev', false, false],
        ['/dist/dev/', 'x/dist/dev', true, false],
        ['/*.ts', 'a.ts', false, true],
        ['/*.ts', 'functions/a.ts', false, false],
        ['*.map', 'dist/functions/a.js.map', false, true],
        ['/.git*', '.gitignore', false, true],
        ['/tsconfig*.json', 'tsconfig.build.json', false, true],
        ['docs/**/*.md', 'docs/a/b/c.md', false, true],
        ['docs/**/*.md', 'docs/c.md', false, true],
    ])('%s: %s (directory %p) is ignored: %p', (pattern, path, isDirectory, expected) => {
        expect(isIgnored(path, isDirectory, parseIgnoreFile(pattern))).toBe(expected);
    });

    it('lets a later ! line take a path back, and skips comments and blank lines', () => {
        const rules = parseIgnoreFile('# comment\n\n*.md\n!KEEP.md\n');
        expect(isIgnored('README.md', false, rules)).toBe(true);
        expect(isIgnored('KEEP.md', false, rules)).toBe(false);
    });
});

describe('the staged function package (issue #7)', () => {
    it('keeps the compiled app, host.json, the manifests and the rules file; drops sources, tests, tools, docs and local secrets', async () => {
        const root = makeProject();

        const files = await selectPackageFiles(root, parseIgnoreFile(funcignore), ['dist/azure-package']);

        expect(files).toEqual([
            'dist/functions/pollRiskDetections.js',
            'dist/functions/pollRiskDetections.js.map',
            'dist/shared/settings/settings.js',
            'host.json',
            'package-lock.json',
            'package.json',
            'rules.yaml',
        ]);
    });

    it('copies them into a fresh folder', async () => {
        const root = makeProject();

        const result = await stageFunctionPackage({
            root,
            outDir: join(root, 'dist', 'azure-package'),
            rulesFile: 'rules.yaml',
            install: false,
        });

        expect(result.files).toContain('rules.yaml');
        expect(readFileSync(join(root, 'dist', 'azure-package', 'host.json'), 'utf8')).toBe('{"version":"2.0"}');
        expect(readFileSync(join(root, 'dist', 'azure-package', 'rules.yaml'), 'utf8')).toBe(validRules);
    });

    it('refuses to build a package without the rules file the app loads', async () => {
        const root = makeProject();

        await expect(
            stageFunctionPackage({ root, outDir: join(root, 'out'), rulesFile: 'policy/rules.yaml', install: false }),
        ).rejects.toThrow(/rules file policy\/rules\.yaml \(RULES_FILE\) is not in the package.*rules\.sample\.yaml/);
    });

    it('refuses an invalid rules file, naming the problem', async () => {
        const root = makeProject({ 'rules.yaml': 'version: 1\nrules:\n  - id: x\n    then: { action: lock }\n' });

        await expect(
            stageFunctionPackage({ root, outDir: join(root, 'out'), rulesFile: 'rules.yaml', install: false }),
        ).rejects.toMatchObject({ code: 'rules.invalid', message: expect.stringContaining('action') });
    });

    it('refuses a package without compiled entry points', async () => {
        const root = makeProject({ 'package.json': JSON.stringify({ main: 'dist/app/*.js' }) });

        await expect(
            stageFunctionPackage({ root, outDir: join(root, 'out'), rulesFile: 'rules.yaml', install: false }),
        ).rejects.toThrow(/npm run build/);
    });

    it('never stages into the project root itself', async () => {
        const root = makeProject();

        await expect(
            stageFunctionPackage({ root, outDir: root, rulesFile: 'rules.yaml', install: false }),
        ).rejects.toThrow(/--out must be a folder inside the project/);
    });

    it("the repository's own .funcignore keeps host.json and package.json and drops sources, tests and infra", async () => {
        const files = await selectPackageFiles(repoRoot, parseIgnoreFile(funcignore), ['dist/azure-package']);

        expect(files).toEqual(expect.arrayContaining(['host.json', 'package.json', 'package-lock.json']));
        const leaked = files.filter((file) =>
            /^(functions|shared|cli|dev|test|bench|infra|docs|schemas|\.azure|\.state|node_modules)\/|\.ts$|^dist\/(dev|cli|test|bench)\/|^local\.settings\.json$/.test(
                file,
            ),
        );
        expect(leaked).toEqual([]);
    });
});
