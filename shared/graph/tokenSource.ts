import { DefaultAzureCredential, TokenCredential } from '@azure/identity';

import { AppError } from '../errors';
import { isLoopbackUrl } from '../settings/settings';

/** Supplies the bearer token for Graph requests. */
export interface TokenSource {
    getToken(): Promise<string>;
}

/** The token the local stand-ins accept: a loopback Graph endpoint needs no Azure at all. */
export const localBearerToken = 'local-development-token';

/**
 * For a loopback endpoint (the Graph simulator) a fixed local token; otherwise an Entra token for
 * `<endpoint>/.default` from `DefaultAzureCredential` (managed identity in Azure, the developer's login locally).
 * National clouds work because the scope follows the endpoint (reference section 12).
 */
export function createTokenSource(
    endpoint: string,
    managedIdentityClientId?: string,
    credential?: TokenCredential,
): TokenSource {
    if (isLoopbackUrl(endpoint)) {
        return { getToken: () => Promise.resolve(localBearerToken) };
    }
    const azureCredential =
        credential ?? new DefaultAzureCredential(managedIdentityClientId ? { managedIdentityClientId } : undefined);
    const scope = `${new URL(endpoint).origin}/.default`;
    return {
        async getToken() {
            try {
                const token = await azureCredential.getToken(scope);
                if (!token) {
                    throw new Error('the credential returned no token');
                }
                return token.token;
            } catch (error) {
                throw new AppError('graph.failed', `Could not get a Graph token for ${scope}`, true, { cause: error });
            }
        },
    };
}
