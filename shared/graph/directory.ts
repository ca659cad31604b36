import { z } from 'zod';

import { GraphApi } from './graphApi';

const organizationPageSchema = z.object({ value: z.array(z.object({ id: z.string().min(1) })).min(1) });

/** The tenant id of the signed-in app's tenant (`GET /organization`), for when TENANT_ID is not set. */
export async function discoverTenantId(graph: GraphApi): Promise<string> {
    const page = await graph.get('organization?$select=id', organizationPageSchema);
    return page.value[0]!.id;
}
