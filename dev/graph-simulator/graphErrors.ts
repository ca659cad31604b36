/**
 * Graph's error answers. Every error the simulator sends has Graph's documented shape (reference section 8):
 * `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
 */
import { formatErrorDate } from './datetime';

/** Thrown by route handlers and checks; the server turns it into a Graph error response. */
export class GraphHttpError extends Error {
    constructor(
        readonly status: number,
        readonly code: string,
        message: string,
        readonly headers: Readonly<Record<string, string>> = {},
    ) {
        super(message);
        this.name = 'GraphHttpError';
    }
}

/** 400 with code BadRequest, Graph's answer to a malformed query option or request body. */
export function badRequest(message: string): GraphHttpError {
    return new GraphHttpError(400, 'BadRequest', message);
}

export interface GraphErrorBody {
    error: {
        code: string;
        message: string;
        innerError: { date: string; 'request-id': string; 'client-request-id': string };
    };
}

export function graphErrorBody(
    code: string,
    message: string,
    ids: { requestId: string; clientRequestId: string },
    now: Date,
): GraphErrorBody {
    return {
        error: {
            code,
            message,
            innerError: {
                date: formatErrorDate(now),
                'request-id': ids.requestId,
                'client-request-id': ids.clientRequestId,
            },
        },
    };
}
