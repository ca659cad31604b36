import { parseDetectionsText } from '../../../cli/detectionsFile';
import { aDetection } from '../../fixtures/detections';

const a = aDetection();
const b = aDetection({ riskLevel: 'medium' });
/** Graph returns more fields than the app selects; they are ignored. */
const fromGraph = { ...a, additionalInfo: '[]', tokenIssuerType: 'AzureAD', '@odata.type': '#microsoft.graph.riskDetection' };

describe('detections files for preview and evaluate (issue #4)', () => {
    it.each([
        ['a JSON array', JSON.stringify([fromGraph, b])],
        ['a Graph list response', JSON.stringify({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#riskDetections', value: [fromGraph, b] })],
        ['JSON lines', `${JSON.stringify(fromGraph)}\n\n${JSON.stringify(b)}\n`],
        ['poll --print lines', [a, b].map((d) => JSON.stringify({ messageId: 'x', body: { version: 1, tenantId: 't', queuedAt: d.lastUpdatedDateTime, detection: d } })).join('\n')],
    ])('reads %s', (_form, text) => {
        expect(parseDetectionsText(text, 'detections.json')).toEqual([a, b]);
    });

    it('reads a single detection object', () => {
        expect(parseDetectionsText(JSON.stringify(a), 'one.json')).toEqual([a]);
    });

    it('names the item and the field of a bad detection', () => {
        const text = JSON.stringify([a, { ...b, userId: 42, lastUpdatedDateTime: 'yesterday' }]);
        expect(() => parseDetectionsText(text, 'd.json')).toThrow(
            expect.objectContaining({ code: 'args.invalid', message: expect.stringMatching(/^d\.json: item 1: userId: .*\nd\.json: item 1: lastUpdatedDateTime: /) }),
        );
    });

    it('names the line of a JSON-lines problem', () => {
        expect(() => parseDetectionsText(`${JSON.stringify(a)}\n{"id": `, 'd.jsonl')).toThrow(/^d\.jsonl: line 2: not valid JSON/);
        expect(() => parseDetectionsText(`${JSON.stringify(a)}\n${JSON.stringify({ id: 'x' })}`, 'd.jsonl')).toThrow(/d\.jsonl: line 2: userId/);
    });

    it('refuses an empty file and JSON that holds no detections', () => {
        expect(() => parseDetectionsText('  \n', 'e.json')).toThrow(/e\.json: the file is empty/);
        expect(() => parseDetectionsText('42', 'n.json')).toThrow(/n\.json: expected detections/);
    });
});
