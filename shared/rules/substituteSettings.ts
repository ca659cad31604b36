/**
 * `${NAME}` placeholders in the string values of a parsed rules file take the value of the app setting NAME, so
 * secrets such as webhook URLs stay out of the file. Keys are never substituted. `$${` writes a literal `${`.
 * Substituted values are secrets: this module reports where they went, so error messages can leave them out.
 */

/** A document path as zod reports it: keys and array indexes. */
export type DocumentPath = readonly (string | number)[];

/** A string value that took (part of) its content from app settings. */
export interface Substitution {
    readonly path: DocumentPath;
    readonly settingNames: readonly string[];
}

/** A placeholder that could not be filled: the setting is not set, or the placeholder is malformed. */
export interface SubstitutionProblem {
    readonly path: DocumentPath;
    readonly message: string;
}

/** The document with placeholders filled, and what happened on the way. */
export interface SubstitutionResult {
    readonly value: unknown;
    readonly substitutions: readonly Substitution[];
    readonly problems: readonly SubstitutionProblem[];
    /** The setting values that were substituted, for a last scrub of any message. */
    readonly secrets: readonly string[];
}

const settingNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Fills `${NAME}` placeholders in every string value of `value` (a plain JSON-like tree) from `settings`. A
 * setting that is undefined or empty is a problem at the path that uses it; the placeholder then stays as written.
 * Returns new objects and arrays; `value` is not modified.
 */
export function substituteSettings(
    value: unknown,
    settings: Readonly<Record<string, string | undefined>>,
): SubstitutionResult {
    const substitutions: Substitution[] = [];
    const problems: SubstitutionProblem[] = [];
    const secrets = new Set<string>();

    const visit = (node: unknown, path: DocumentPath): unknown => {
        if (typeof node === 'string') {
            return substituteString(node, path);
        }
        if (Array.isArray(node)) {
            return node.map((item: unknown, index) => visit(item, [...path, index]));
        }
        if (typeof node === 'object' && node !== null && Object.getPrototypeOf(node) === Object.prototype) {
            // fromEntries defines own properties, so a "__proto__" key stays a plain key.
            return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, visit(item, [...path, key])]));
        }
        return node;
    };

    const substituteString = (text: string, path: DocumentPath): string => {
        if (!text.includes('${')) {
            return text;
        }
        const used: string[] = [];
        let out = '';
        let i = 0;
        while (i < text.length) {
            const dollar = text.indexOf('$', i);
            if (dollar < 0) {
                out += text.slice(i);
                break;
            }
            out += text.slice(i, dollar);
            if (text.startsWith('$${', dollar)) {
                out += '${';
                i = dollar + 3;
                continue;
            }
            if (!text.startsWith('${', dollar)) {
                out += '$';
                i = dollar + 1;
                continue;
            }
            const close = text.indexOf('}', dollar + 2);
            const name = close < 0 ? '' : text.slice(dollar + 2, close);
            if (!settingNamePattern.test(name)) {
                problems.push({
                    path,
                    message:
                        'malformed placeholder: expected ${NAME} with letters, digits and _ (write $${ for a literal ${)',
                });
                const end = close < 0 ? text.length : close + 1;
                out += text.slice(dollar, end);
                i = end;
                continue;
            }
            const setting = settings[name];
            if (setting === undefined || setting === '') {
                problems.push({ path, message: `app setting ${name} is not set (or is empty)` });
                out += text.slice(dollar, close + 1);
            } else {
                out += setting;
                used.push(name);
                secrets.add(setting);
            }
            i = close + 1;
        }
        if (used.length > 0) {
            substitutions.push({ path, settingNames: [...new Set(used)] });
        }
        return out;
    };

    return { value: visit(value, []), substitutions, problems, secrets: [...secrets] };
}
