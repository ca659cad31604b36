import type { RpcBindingInfo } from './coreApi';

/** App settings as the host reads them: the process environment (local.settings.json `Values` in Core Tools). */
export type AppSettings = Readonly<Record<string, string | undefined>>;

/** A `%NAME%` expression whose setting is missing or empty; the host fails the function's indexing with it. */
export class UnresolvedSettingError extends Error {
    constructor(
        readonly setting: string,
        readonly property: string,
    ) {
        super(`'%${setting}%' does not resolve to a value (binding property "${property}")`);
        this.name = 'UnresolvedSettingError';
    }
}

const settingExpression = /%([^%\s]+)%/g;

/** Replaces every `%NAME%` in one string with the app setting NAME. */
export function resolveSettingExpressions(value: string, settings: AppSettings, property: string): string {
    return value.replace(settingExpression, (_match, name: string) => {
        const resolved = settings[name];
        if (resolved === undefined || resolved === '') {
            throw new UnresolvedSettingError(name, property);
        }
        return resolved;
    });
}

/**
 * A binding with `%NAME%` expressions resolved in its string options (schedule, queueName, topicName, …), as the
 * host does before it starts a listener. `{name}` runtime expressions and non-string options stay as they are.
 */
export function resolveBinding(binding: RpcBindingInfo, settings: AppSettings): RpcBindingInfo {
    const resolved: RpcBindingInfo = { ...binding };
    for (const [property, value] of Object.entries(binding)) {
        if (typeof value === 'string' && property !== 'type' && property !== 'direction' && property !== 'name') {
            resolved[property] = resolveSettingExpressions(value, settings, property);
        }
    }
    return resolved;
}
