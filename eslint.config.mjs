// Type-checked lint plus the dependency arrows of design.md, enforced with no-restricted-imports.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const sdkPackages = ['@azure/*', '@microsoft/*', 'rhea', 'azurite', 'yaml'];
const outerLayers = ['**/functions/**', '**/cli/**', '**/dev/**', '**/bench/**'];

export default tseslint.config(
    { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'jest.config.js', 'bin/**', 'eslint.config.mjs'] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        rules: {
            '@typescript-eslint/no-floating-promises': 'error',
            '@typescript-eslint/return-await': ['error', 'in-try-catch'],
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
            eqeqeq: ['error', 'always'],
            curly: ['error', 'all'],
            'no-console': 'error',
            // Port implementations are async by contract even when an in-memory one has nothing to await.
            '@typescript-eslint/require-await': 'off',
        },
    },
    {
        files: ['shared/**/*.ts'],
        rules: {
            'no-restricted-imports': [
                'error',
                {
                    patterns: [
                        {
                            group: outerLayers,
                            message: 'shared/ never imports functions, cli, dev or bench (design.md).',
                        },
                    ],
                },
            ],
        },
    },
    {
        // Pure parts: no SDK at all, so they are tested fast and directly.
        files: [
            'shared/detection.ts',
            'shared/queue/message.ts',
            'shared/intake/{pollOnce,checkpoint}.ts',
            'shared/rules/**/*.ts',
            'shared/remediation/{decide,decideOffline,breaker,remediateBatch,auditRecord,auditStore,riskStateReader}.ts',
            'shared/notify/{safeText,decisionSummary,alertSummary,teamsMessage,teamsCards,emailContent,planMessages,notificationJob,recipients,fitToSize,entraLinks,webhookPolicy,messageContext,deliveryLog,notificationQueue,notifier}.ts',
        ],
        ignores: ['shared/rules/loadRules.ts'],
        rules: {
            'no-restricted-imports': [
                'error',
                {
                    patterns: [
                        { group: [...outerLayers, ...sdkPackages], message: 'Pure code imports no SDK (design.md).' },
                    ],
                },
            ],
        },
    },
    {
        files: ['cli/**/*.ts', 'dev/**/*.ts', 'bench/**/*.ts'],
        rules: { 'no-console': 'off' },
    },
    {
        files: ['test/**/*.ts'],
        rules: {
            '@typescript-eslint/no-unsafe-assignment': 'off',
            '@typescript-eslint/no-unsafe-member-access': 'off',
            '@typescript-eslint/no-non-null-assertion': 'off',
            '@typescript-eslint/unbound-method': 'off',
            '@typescript-eslint/no-unsafe-argument': 'off',
        },
    },
);
