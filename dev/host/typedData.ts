import type { RpcTypedData } from './coreApi';

/**
 * Values as the Functions host puts them on the wire to the Node.js worker (`RpcTypedData`). The library then
 * converts them back (`fromRpcTypedData`): strings that parse as JSON become objects, `json` is parsed,
 * collections become arrays. Building the wire form, rather than the final values, keeps that conversion the
 * library's own.
 */

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of UTF-8 bytes, or undefined when they are not valid UTF-8 (binary bodies). */
export function utf8TextOf(bytes: Uint8Array): string | undefined {
    try {
        return strictUtf8.decode(bytes);
    } catch {
        return undefined;
    }
}

/** A message body: text bodies go as `string` (the library JSON-parses them when it can), others as `bytes`. */
export function bodyTypedData(body: Uint8Array): RpcTypedData {
    const text = utf8TextOf(body);
    return text === undefined ? { bytes: body } : { string: text };
}

/** The bodies of a batch: `collectionString` when every body is text, otherwise `collectionBytes`. */
export function bodiesTypedData(bodies: readonly Uint8Array[]): RpcTypedData {
    const texts = bodies.map(utf8TextOf);
    if (texts.every((text): text is string => text !== undefined)) {
        return { collectionString: { string: texts } };
    }
    return { collectionBytes: { bytes: [...bodies] } };
}

/** One binding-data value: strings as `string`, integers as `int`, absent as empty, the rest as `json`. */
export function metadataTypedData(value: unknown): RpcTypedData {
    if (value === null || value === undefined) {
        return {};
    }
    if (typeof value === 'string') {
        return { string: value };
    }
    if (typeof value === 'number' && Number.isInteger(value)) {
        return { int: value };
    }
    if (typeof value === 'number') {
        return { double: value };
    }
    if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string')) {
        return { collectionString: { string: value } };
    }
    return { json: JSON.stringify(value) };
}

/** Binding data (PascalCase keys, as the .NET extension names them) to the wire. */
export function triggerMetadataOf(bindingData: Readonly<Record<string, unknown>>): Record<string, RpcTypedData> {
    return Object.fromEntries(Object.entries(bindingData).map(([key, value]) => [key, metadataTypedData(value)]));
}
