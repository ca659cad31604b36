import { createDetectionMessage, detectionMessageId, parseDetectionMessage } from '../../../shared/queue/message';
import { aDetection } from '../../fixtures/detections';

describe('the queue message contract', () => {
    const detection = aDetection();

    it('round-trips a message through JSON and the schema', () => {
        const message = createDetectionMessage('tenant-1', detection, new Date('2026-06-01T12:00:00Z'));
        const parsed = parseDetectionMessage(JSON.stringify(message.body));
        expect(parsed).toEqual({ ok: true, message: message.body });
        expect(message).toMatchObject({
            subject: detection.riskEventType,
            applicationProperties: {
                riskLevel: 'high',
                userId: detection.userId,
                tenantId: 'tenant-1',
                contractVersion: '1',
            },
        });
    });

    it('the message id is stable for an unchanged detection and changes with lastUpdatedDateTime', () => {
        const first = detectionMessageId('t', detection);
        expect(detectionMessageId('t', { ...detection })).toBe(first);
        expect(detectionMessageId('t', { ...detection, lastUpdatedDateTime: '2026-06-01T12:30:00Z' })).not.toBe(first);
        expect(first.length).toBeLessThanOrEqual(128);
    });

    it.each([
        ['not JSON', 'hello', '(body)'],
        ['a wrong version', { version: 2, tenantId: 't', queuedAt: '2026-06-01T12:00:00Z', detection }, 'version'],
        [
            'a detection without userId',
            {
                version: 1,
                tenantId: 't',
                queuedAt: '2026-06-01T12:00:00Z',
                detection: { ...detection, userId: undefined },
            },
            'detection.userId',
        ],
        [
            'a bad lastUpdatedDateTime',
            {
                version: 1,
                tenantId: 't',
                queuedAt: '2026-06-01T12:00:00Z',
                detection: { ...detection, lastUpdatedDateTime: 'yesterday' },
            },
            'detection.lastUpdatedDateTime',
        ],
    ])('rejects %s with a reason naming where', (_what, body, where) => {
        const parsed = parseDetectionMessage(body);
        expect(parsed.ok).toBe(false);
        expect(parsed.ok ? '' : parsed.reason).toContain(where);
    });
});
