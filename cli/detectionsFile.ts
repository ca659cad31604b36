import { readFile } from 'node:fs/promises';

import { z } from 'zod';

import { Detection, detectionSchema } from '../shared/detection';
import { AppError } from '../shared/errors';

/**
 * Detections for the commands that decide without Graph (`preview`, `evaluate`): a file holding riskDetection
 * objects as Graph returns them. Accepted forms, told apart by content, not by extension:
 *
 * - a JSON array of detections;
 * - a Graph list response, `{"value": [...]}` (one page saved from Graph Explorer or the API);
 * - JSON lines, one detection per line (blank lines ignored);
 * - any of these holding queue messages instead (`{"detection": {...}}`, or `risk-responder poll --print` lines
 *   `{"messageId", "body": {"detection": {...}}}`), whose detection is taken.
 *
 * Each detection is validated with the app's detection schema (unknown Graph fields are ignored). Problems name
 * the file, the item (array index or line number) and the field, and are thrown as `args.invalid` (exit 2).
 */

/** Most problems listed in one error; the rest are counted. */
const maxProblems = 10;

/** Reads and validates a detections file. */
export async function readDetectionsFile(path: string): Promise<Detection[]> {
    let text: string;
    try {
        text = await readFile(path, 'utf8');
    } catch (error) {
        const code = (error as { code?: unknown }).code;
        throw new AppError(
            'args.invalid',
            `${path}: cannot read the detections file (${typeof code === 'string' ? code : 'unreadable'})`,
            false,
            {
                cause: error,
            },
        );
    }
    return parseDetectionsText(text, path);
}

/** Parses detections from text in any accepted form; `fileName` is used in messages. */
export function parseDetectionsText(text: string, fileName: string): Detection[] {
    const items = splitItems(text.replace(/^\uFEFF/, ''), fileName);
    const detections: Detection[] = [];
    const problems: string[] = [];
    for (const item of items) {
        const parsed = detectionSchema.safeParse(unwrapMessage(item.value));
        if (parsed.success) {
            detections.push(parsed.data);
            continue;
        }
        for (const issue of parsed.error.issues) {
            problems.push(
                `${fileName}: ${item.where}: ${issue.path.length === 0 ? '(detection)' : issue.path.join('.')}: ${issue.message}`,
            );
        }
    }
    if (problems.length > 0) {
        const shown = problems.slice(0, maxProblems);
        const more = problems.length > maxProblems ? [`... and ${problems.length - maxProblems} more problems`] : [];
        throw new AppError('args.invalid', [...shown, ...more].join('\n'), false);
    }
    return detections;
}

interface Item {
    /** "item 3" (array index) or "line 7" (JSON lines). */
    where: string;
    value: unknown;
}

function splitItems(text: string, fileName: string): Item[] {
    if (text.trim() === '') {
        throw new AppError(
            'args.invalid',
            `${fileName}: the file is empty; expected detections as a JSON array, a Graph list response or JSON lines`,
            false,
        );
    }
    const whole = tryParseJson(text);
    if (whole.ok) {
        if (Array.isArray(whole.value)) {
            return whole.value.map((value: unknown, index) => ({ where: `item ${index}`, value }));
        }
        if (isRecord(whole.value) && Array.isArray(whole.value.value)) {
            return (whole.value.value as unknown[]).map((value, index) => ({ where: `value[${index}]`, value }));
        }
        if (isRecord(whole.value)) {
            return [{ where: 'line 1', value: whole.value }];
        }
        throw new AppError(
            'args.invalid',
            `${fileName}: expected detections as a JSON array, a Graph list response or JSON lines`,
            false,
        );
    }
    return text.split('\n').flatMap((line, index): Item[] => {
        if (line.trim() === '') {
            return [];
        }
        const parsed = tryParseJson(line);
        if (!parsed.ok) {
            throw new AppError(
                'args.invalid',
                `${fileName}: line ${index + 1}: not valid JSON (${parsed.reason})`,
                false,
            );
        }
        return [{ where: `line ${index + 1}`, value: parsed.value }];
    });
}

const messageShape = z.object({ detection: z.record(z.string(), z.unknown()) });
const printedMessageShape = z.object({ body: messageShape });

/** A queue message (or a `poll --print` line) stands for its detection. */
function unwrapMessage(value: unknown): unknown {
    const printed = printedMessageShape.safeParse(value);
    if (printed.success) {
        return printed.data.body.detection;
    }
    const message = messageShape.safeParse(value);
    return message.success ? message.data.detection : value;
}

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
    try {
        return { ok: true, value: JSON.parse(text) as unknown };
    } catch (error) {
        return { ok: false, reason: error instanceof Error ? error.message : 'invalid JSON' };
    }
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
