/** Two projects: fast unit tests of pure code and fakes, and integration tests against the local stand-ins. */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json' }];
const common = { testEnvironment: 'node', transform: { '^.+\\.ts$': tsJest }, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
    projects: [
        { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
        {
            ...common,
            displayName: 'integration',
            testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
            globalSetup: '<rootDir>/test/integration/globalSetup.ts',
            globalTeardown: '<rootDir>/test/integration/globalTeardown.ts',
        },
    ],
};
