/** Validation of JSON request bodies with zod, answered as Graph answers a bad body: 400 BadRequest. */
import type { z } from 'zod';

import { badRequest } from './graphErrors';

export function parseRequestBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
    if (body === undefined) {
        throw badRequest('The request body is missing; a JSON body is required.');
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
        const problems = parsed.error.issues
            .slice(0, 3)
            .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`);
        throw badRequest(`Invalid request body. ${problems.join('; ')}`);
    }
    return parsed.data;
}
