import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runOutbox } from '../../../cli/commands/outbox';
import { appendOutboxRecords, createMailOutboxWriter, outboxFileIn } from '../../../dev/outboxFile';
import { buildTeamsAlert } from '../../../shared/notify/teamsCards';

describe('risk-responder outbox (issue #4)', () => {
    let dir: string;
    let lines: string[];
    const out = { write: (text: string) => lines.push(...text.split('\n').filter((line) => line !== '')) };

    beforeEach(async () => {
        dir = await mkdtemp(join(tmpdir(), 'outbox-'));
        lines = [];
    });
    afterEach(async () => {
        await rm(dir, { recursive: true, force: true });
    });

    it('shows the Teams posts and mails a local run recorded, oldest first', async () => {
        const file = outboxFileIn(dir);
        const card = buildTeamsAlert({ kind: 'messageRejected', messageId: 'm', reason: 'r' }, { tenantId: 't', portalUrl: 'https://entra.microsoft.com' });
        await appendOutboxRecords(file, [{ channel: 'teams', at: '2026-06-01T12:00:00.000Z', path: '/secops', message: card }]);
        const writer = createMailOutboxWriter(file);
        const sentMail = [
            {
                from: 'risk-responder@contoso.example',
                at: new Date('2026-06-01T12:00:01Z'),
                message: { subject: 'risk-responder: 1 risk decision', body: { contentType: 'HTML', content: '<p>x</p>' }, toRecipients: [{ emailAddress: { address: 'secops@contoso.example' } }] },
            },
        ];
        await writer.flush(sentMail);
        await writer.flush(sentMail);

        expect(await runOutbox(['--state-dir', dir], {}, out)).toBe(0);

        expect(lines).toEqual([
            '2026-06-01T12:00:00.000Z  teams  /secops  ALERT risk-responder: Queue message rejected',
            '2026-06-01T12:00:01.000Z  email  risk-responder@contoso.example -> secops@contoso.example  risk-responder: 1 risk decision',
            `1 Teams posts, 1 emails (${file})`,
        ]);
    });

    it('--json prints the records themselves', async () => {
        await appendOutboxRecords(outboxFileIn(dir), [{ channel: 'email', at: 'now', from: 'a', to: ['b'], subject: 's', html: '<p>h</p>' }]);
        await runOutbox(['--state-dir', dir, '--json'], {}, out);
        expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([{ channel: 'email', at: 'now', from: 'a', to: ['b'], subject: 's', html: '<p>h</p>' }]);
    });

    it('an empty state folder is an empty outbox', async () => {
        await runOutbox(['--state-dir', dir], {}, out);
        expect(lines).toEqual([`The outbox is empty (${outboxFileIn(dir)}).`]);
    });
});
