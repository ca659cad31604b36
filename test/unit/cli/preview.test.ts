import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runPreview } from '../../../cli/commands/preview';
import { UsageError } from '../../../cli/usageError';
import { emailContentSchema } from '../../../shared/notify/emailContent';
import { expectValidTeamsMessage, cardTexts } from '../notify/cardValidation';
import { aDetection } from '../../fixtures/detections';

const rulesYaml = `
version: 1
mode: dryRun
exclusions:
  users: [breakglass@contoso.example]
owners:
  secops:
    teams: '\${TEAMS_SECOPS_WEBHOOK}'
    email: [secops@contoso.example]
  oncall:
    teams: 'https://prod-01.westus.logic.azure.com/workflows/oncall?sig=1'
rules:
  - id: leaked-credentials
    when: { riskEventType: [leakedCredentials] }
    then: { action: confirmCompromised, notify: [secops, manager] }
  - id: anonymous-ip
    when: { riskEventType: [anonymizedIPAddress] }
    then: { action: none, notify: [oncall] }
`;

const env = { TEAMS_SECOPS_WEBHOOK: 'https://prod-02.westus.logic.azure.com/workflows/secops?sig=SECRET' };

describe('risk-responder preview (issue #4)', () => {
    let dir: string;
    let rulesFile: string;
    let detectionsFile: string;
    let lines: string[];
    const out = { write: (text: string) => lines.push(...text.split('\n').filter((line) => line !== '')) };

    beforeEach(async () => {
        dir = await mkdtemp(join(tmpdir(), 'preview-'));
        rulesFile = join(dir, 'rules.yaml');
        detectionsFile = join(dir, 'detections.json');
        lines = [];
        await writeFile(rulesFile, rulesYaml);
        await writeFile(
            detectionsFile,
            JSON.stringify({
                value: [
                    aDetection({ riskEventType: 'leakedCredentials', userDisplayName: '<b>Adele</b> [x](http://evil)' }),
                    aDetection({ riskEventType: 'leakedCredentials', userPrincipalName: 'breakglass@contoso.example' }),
                    aDetection({ riskEventType: 'anonymizedIPAddress' }),
                ],
            }),
        );
    });
    afterEach(async () => {
        await rm(dir, { recursive: true, force: true });
    });

    it('prints one JSON line per owner and channel, and one "manager" email per user, without sending anything', async () => {
        const code = await runPreview(['--rules', rulesFile, '--detections', detectionsFile], env, out);

        expect(code).toBe(0);
        const printed = lines.map((line) => JSON.parse(line) as { owner: string; channel: string; message: unknown });
        expect(printed.map((line) => [line.owner, line.channel])).toEqual([
            ['secops', 'teams'],
            ['secops', 'email'],
            ['oncall', 'teams'],
            ['manager', 'email'],
            ['manager', 'email'],
        ]);
        const secopsCard = expectValidTeamsMessage(printed[0]!.message);
        const texts = cardTexts(secopsCard);
        expect(texts).toContain('Dry-run: nothing was changed in Entra ID; this is what enforce would do.');
        expect(texts.some((text) => text.startsWith('Excluded: never acted on; the rules would have chosen confirm compromised'))).toBe(true);
        expect(texts.some((text) => text.startsWith('\\<b\\>Adele\\</b\\> \\[x\\](http\\[:\\]//evil) ('))).toBe(true);
        expect(emailContentSchema.parse(printed[1]!.message).html).toContain('&lt;b&gt;Adele&lt;/b&gt;');
        expect(lines.join('\n')).not.toContain('SECRET');
    });

    it('--channel keeps one channel', async () => {
        await runPreview(['--rules', rulesFile, '--detections', detectionsFile, '--channel', 'email'], env, out);
        expect(lines.map((line) => (JSON.parse(line) as { channel: string }).channel)).toEqual(['email', 'email', 'email']);
    });

    it('bad input is a usage or input error (exit 2 through main), naming what is wrong', async () => {
        await expect(runPreview(['--rules', rulesFile], env, out)).rejects.toThrow(UsageError);
        await expect(runPreview(['--rules', rulesFile, '--detections', detectionsFile, '--channel', 'fax'], env, out)).rejects.toThrow(/--channel/);
        await writeFile(detectionsFile, '[{"id":"x"}]');
        await expect(runPreview(['--rules', rulesFile, '--detections', detectionsFile], env, out)).rejects.toMatchObject({
            code: 'args.invalid',
            message: expect.stringContaining('item 0: userId'),
        });
        await expect(runPreview(['--rules', rulesFile, '--detections', detectionsFile], {}, out)).rejects.toMatchObject({ code: 'rules.invalid' });
    });
});
