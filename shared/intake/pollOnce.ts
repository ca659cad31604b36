import { Clock } from '../clock';
import { Detection } from '../detection';
import { ensureError } from '../errors';
import { Logger } from '../logger';
import { DetectionQueue } from '../queue/detectionQueue';
import { createDetectionMessage, OutgoingMessage } from '../queue/message';
import { Checkpoint, CheckpointStore, pruneSent, sentKey } from './checkpoint';

/** Lists detections updated since a time, page by page (GraphRiskReader in Azure, a fake in unit tests). */
export interface RiskDetectionSource {
    listUpdatedSince(since: Date, levels: readonly string[]): AsyncIterable<Detection[]>;
}

export interface PollDependencies {
    source: RiskDetectionSource;
    queue: DetectionQueue;
    checkpoints: CheckpointStore;
    clock: Clock;
}

export interface PollConfig {
    tenantId: string;
    /** Levels queued (at or above MIN_RISK_LEVEL). */
    levels: readonly string[];
    overlapMs: number;
    /** Look-back of the first poll, when there is no checkpoint. */
    initialLookbackMs: number;
    /** Start of the first poll instead of the look-back (`poll --since`). */
    since?: Date;
    /** A cycle stops listing after this long and keeps its progress. */
    timeBudgetMs: number;
}

/** What one cycle did, for the summary log line and the CLI. */
export interface PollResult {
    listed: number;
    pages: number;
    queued: number;
    skippedAlreadySent: number;
    skippedNotActionable: number;
    /** False when the listing stopped early (time budget) and the watermark stayed put. */
    complete: boolean;
    readFrom: string;
    checkpoint: Checkpoint;
    messages: OutgoingMessage[];
}

/**
 * One poll cycle (design I1-I3): list what changed since the checkpoint minus the overlap, queue every at-risk
 * detection at a queued level not sent before, then advance the checkpoint, only past what the queue accepted.
 * On a failure part-way, what was accepted is recorded (the watermark stays) and the error is rethrown.
 */
export async function pollOnce(deps: PollDependencies, config: PollConfig, logger: Logger): Promise<PollResult> {
    const startedAt = deps.clock.now();
    const previous = await deps.checkpoints.read();
    const readFrom = previous
        ? new Date(previous.readFrom)
        : (config.since ?? new Date(startedAt - config.initialLookbackMs));
    const sent = new Set(previous?.sent ?? []);
    const levels = new Set(config.levels);
    const toSend = new Map<string, OutgoingMessage>();
    let watermark = previous?.watermark ?? null;
    let listed = 0;
    let pages = 0;
    let skippedAlreadySent = 0;
    let skippedNotActionable = 0;
    let complete = true;
    let listingError: Error | undefined;

    try {
        for await (const page of deps.source.listUpdatedSince(readFrom, config.levels)) {
            pages++;
            for (const detection of page) {
                listed++;
                watermark = laterOf(watermark, detection.lastUpdatedDateTime);
                const key = sentKey(detection);
                if (detection.riskState !== 'atRisk' || !levels.has(detection.riskLevel)) {
                    skippedNotActionable++;
                } else if (sent.has(key) || toSend.has(key)) {
                    skippedAlreadySent++;
                } else {
                    toSend.set(key, createDetectionMessage(config.tenantId, detection, new Date(deps.clock.now())));
                }
            }
            if (deps.clock.now() - startedAt > config.timeBudgetMs) {
                complete = false;
                logger.warn(
                    `poll: time budget of ${config.timeBudgetMs} ms spent after ${pages} pages; keeping progress, watermark stays`,
                );
                break;
            }
        }
    } catch (error) {
        complete = false;
        listingError = ensureError(error);
    }

    const keyByMessageId = new Map([...toSend].map(([key, message]) => [message.messageId, key]));
    const accepted: OutgoingMessage[] = [];
    let sendError: Error | undefined;
    try {
        await deps.queue.send([...toSend.values()], async (batch) => {
            accepted.push(...batch);
            for (const message of batch) {
                sent.add(keyByMessageId.get(message.messageId) ?? '');
            }
        });
    } catch (error) {
        sendError = ensureError(error);
    }

    // The watermark moves only after a complete listing whose every message the queue accepted.
    const advanceTo = complete && sendError === undefined ? watermark : null;
    const nextReadFrom =
        advanceTo === null
            ? readFrom.toISOString()
            : laterOf(readFrom.toISOString(), new Date(Date.parse(advanceTo) - config.overlapMs).toISOString());
    const checkpoint: Checkpoint = {
        version: 1,
        readFrom: nextReadFrom,
        watermark: advanceTo ?? previous?.watermark ?? null,
        sent: pruneSent(sent, new Date(nextReadFrom)),
        updatedAt: new Date(deps.clock.now()).toISOString(),
    };
    if (accepted.length > 0 || advanceTo !== null || !previous) {
        await deps.checkpoints.write(checkpoint);
    }

    const result: PollResult = {
        listed,
        pages,
        queued: accepted.length,
        skippedAlreadySent,
        skippedNotActionable,
        complete,
        readFrom: readFrom.toISOString(),
        checkpoint,
        messages: accepted,
    };
    const failure = listingError ?? sendError;
    if (failure) {
        logger.error(
            `poll: failed after listing ${listed} and queueing ${accepted.length}; progress kept, watermark stays at ${checkpoint.watermark ?? 'none'}`,
        );
        throw failure;
    }
    logger.info(
        `poll: listed ${listed} in ${pages} pages, queued ${accepted.length}, already sent ${skippedAlreadySent}, not actionable ${skippedNotActionable}, readFrom ${checkpoint.readFrom}${complete ? '' : ' (incomplete)'}`,
    );
    return result;
}

/** The later of two ISO instants (null counts as earliest). */
function laterOf(current: string | null, candidate: string): string {
    if (current === null) {
        return candidate;
    }
    return Date.parse(candidate) > Date.parse(current) ? candidate : current;
}
