import { parseRulesText } from '../../../shared/rules/loadRules';

const rulesWithWebhook = (url: string) => `
version: 1
owners:
  secops: { teams: "${url}" }
rules:
  - id: everything-else
    when: {}
    then: { action: none, notify: [secops] }
`;

describe('owner webhook URLs', () => {
    it.each([
        'https://prod-01.westeurope.logic.azure.com/workflows/x',
        'http://127.0.0.1:7071/hook',
        'http://localhost:8080/hook',
    ])('accepts %s (https, or http on loopback for the local webhook sink)', (url) => {
        expect(
            parseRulesText(rulesWithWebhook(url), { fileName: 'rules.yaml', settings: {} }).owners.secops!.teams,
        ).toBe(url);
    });

    it.each(['http://hooks.contoso.example/x', 'http://10.0.0.5/hook', 'ftp://127.0.0.1/x'])('rejects %s', (url) => {
        expect(() => parseRulesText(rulesWithWebhook(url), { fileName: 'rules.yaml', settings: {} })).toThrow(
            /expected an https URL/,
        );
    });
});
