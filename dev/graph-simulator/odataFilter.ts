/**
 * The `$filter` subset Graph accepts on the identity-protection lists, parsed and compiled to a predicate.
 *
 * Supported: `property op literal` with op in eq/ne/gt/ge/lt/le, joined by `and`/`or`, grouped by parentheses
 * (`and` binds tighter than `or`). Literals: 'strings' (a quote inside is doubled: 'O''Brien'), unquoted
 * DateTimeOffsets (`2025-06-01T10:00:00Z`, fractional seconds up to 7 digits, offset required), true/false,
 * null, numbers, and typed enum literals (`microsoft.graph.riskLevel'high'`).
 *
 * Faithful quirk (reference section 2, issue microsoftgraph/microsoft-graph-docs#19592): a *quoted* datetime
 * compared to a DateTimeOffset property is a string, not an instant, and matches nothing.
 *
 * Everything else (`not`, `in`, `has`, lambda and string functions, unknown properties, type mismatches,
 * unknown enum members) is a syntax or semantic error, which the routes answer with 400 BadRequest. Graph's
 * support for `in` and `not` here is unconfirmed [U], so the simulator refuses them rather than let client
 * code come to depend on them.
 */
import { parseDateTimeOffset } from './datetime';

export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
const comparisonOperators: readonly string[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];

/** How a property compares. DateTimeOffset values must be stored in datetime.ts's canonical form. */
export type FilterPropertyType = 'string' | 'enum' | 'dateTimeOffset' | 'boolean';

export interface FilterProperty {
    readonly type: FilterPropertyType;
    /** For enums: the qualified type name accepted in typed literals, e.g. `microsoft.graph.riskLevel`. */
    readonly enumType?: string;
    /** For enums: the members; a literal outside them is a 400, as in Graph. */
    readonly enumValues?: readonly string[];
    /** Operators allowed on this property; all six (or eq/ne for enums and booleans) when absent. */
    readonly operators?: readonly ComparisonOperator[];
}

/** The filterable properties of one entity type. */
export interface FilterSchema {
    /** Used in error messages, e.g. `microsoft.graph.riskDetection`. */
    readonly entityType: string;
    readonly properties: Readonly<Record<string, FilterProperty>>;
}

/** A property value as the predicate reads it from an item. */
export type FilterValue = string | boolean | null | undefined;

export type FilterPredicate<T> = (item: T) => boolean;

/** A `$filter` the simulator cannot accept; the message says what and where. */
export class ODataFilterError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'ODataFilterError';
    }
}

export type FilterLiteral =
    | { readonly kind: 'string'; readonly value: string }
    | { readonly kind: 'dateTimeOffset'; readonly value: string }
    | { readonly kind: 'boolean'; readonly value: boolean }
    | { readonly kind: 'null' }
    | { readonly kind: 'number'; readonly value: number }
    | { readonly kind: 'enum'; readonly enumType: string; readonly value: string };

export type FilterNode =
    | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
    | {
          readonly kind: 'comparison';
          readonly property: string;
          readonly operator: ComparisonOperator;
          readonly literal: FilterLiteral;
      };

type Token =
    | { readonly kind: '(' | ')' | ','; readonly at: number }
    | { readonly kind: 'word'; readonly text: string; readonly at: number }
    | { readonly kind: 'literal'; readonly literal: FilterLiteral; readonly at: number };

const delimiters = new Set([' ', '\t', '(', ')', "'", ',']);
const identifierPattern = /^[A-Za-z_][A-Za-z0-9_./]*$/;
const numberPattern = /^-?\d+(?:\.\d+)?$/;

function readQuoted(text: string, start: number): { value: string; end: number } {
    let value = '';
    let i = start + 1;
    for (;;) {
        const quote = text.indexOf("'", i);
        if (quote < 0) {
            throw new ODataFilterError(`Unterminated string literal at position ${start}.`);
        }
        value += text.slice(i, quote);
        if (text.charAt(quote + 1) === "'") {
            value += "'";
            i = quote + 2;
            continue;
        }
        return { value, end: quote + 1 };
    }
}

function classifyWord(word: string, at: number): Token {
    if (/^[-\d]/.test(word)) {
        if (word.includes('T')) {
            const canonical = parseDateTimeOffset(word);
            if (canonical === undefined) {
                throw new ODataFilterError(`'${word}' at position ${at} is not a valid DateTimeOffset literal.`);
            }
            return { kind: 'literal', literal: { kind: 'dateTimeOffset', value: canonical }, at };
        }
        if (numberPattern.test(word)) {
            return { kind: 'literal', literal: { kind: 'number', value: Number(word) }, at };
        }
        throw new ODataFilterError(`Syntax error: '${word}' at position ${at} is not a valid literal.`);
    }
    if (!identifierPattern.test(word)) {
        throw new ODataFilterError(`Syntax error: unexpected '${word}' at position ${at}.`);
    }
    if (word === 'true' || word === 'false') {
        return { kind: 'literal', literal: { kind: 'boolean', value: word === 'true' }, at };
    }
    if (word === 'null') {
        return { kind: 'literal', literal: { kind: 'null' }, at };
    }
    return { kind: 'word', text: word, at };
}

function tokenize(text: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    while (i < text.length) {
        const ch = text.charAt(i);
        if (ch === ' ' || ch === '\t') {
            i++;
        } else if (ch === '(' || ch === ')' || ch === ',') {
            tokens.push({ kind: ch, at: i });
            i++;
        } else if (ch === "'") {
            const { value, end } = readQuoted(text, i);
            tokens.push({ kind: 'literal', literal: { kind: 'string', value }, at: i });
            i = end;
        } else {
            let end = i;
            while (end < text.length && !delimiters.has(text.charAt(end))) {
                end++;
            }
            const word = text.slice(i, end);
            if (text.charAt(end) === "'" && identifierPattern.test(word)) {
                // A typed literal such as microsoft.graph.riskLevel'high'.
                const { value, end: after } = readQuoted(text, end);
                tokens.push({ kind: 'literal', literal: { kind: 'enum', enumType: word, value }, at: i });
                i = after;
            } else {
                tokens.push(classifyWord(word, i));
                i = end;
            }
        }
    }
    return tokens;
}

function describe(token: Token | undefined): string {
    if (token === undefined) {
        return 'end of input';
    }
    switch (token.kind) {
        case 'word':
            return `'${token.text}' at position ${token.at}`;
        case 'literal':
            return `a literal at position ${token.at}`;
        default:
            return `'${token.kind}' at position ${token.at}`;
    }
}

class Parser {
    private index = 0;

    constructor(private readonly tokens: readonly Token[]) {}

    parse(): FilterNode {
        if (this.tokens.length === 0) {
            throw new ODataFilterError('The $filter expression is empty.');
        }
        const node = this.parseOr();
        const rest = this.peek();
        if (rest !== undefined) {
            throw new ODataFilterError(`Syntax error: unexpected ${describe(rest)}.`);
        }
        return node;
    }

    private peek(): Token | undefined {
        return this.tokens[this.index];
    }

    private take(): Token | undefined {
        const token = this.tokens[this.index];
        this.index++;
        return token;
    }

    private peekWord(text: string): boolean {
        const token = this.peek();
        return token?.kind === 'word' && token.text === text;
    }

    private parseOr(): FilterNode {
        let left = this.parseAnd();
        while (this.peekWord('or')) {
            this.index++;
            left = { kind: 'or', left, right: this.parseAnd() };
        }
        return left;
    }

    private parseAnd(): FilterNode {
        let left = this.parsePrimary();
        while (this.peekWord('and')) {
            this.index++;
            left = { kind: 'and', left, right: this.parsePrimary() };
        }
        return left;
    }

    private parsePrimary(): FilterNode {
        const token = this.take();
        if (token?.kind === '(') {
            const inner = this.parseOr();
            const close = this.take();
            if (close?.kind !== ')') {
                throw new ODataFilterError(`Syntax error: expected ')' but found ${describe(close)}.`);
            }
            return inner;
        }
        if (token?.kind !== 'word' || token.text === 'and' || token.text === 'or') {
            throw new ODataFilterError(`Syntax error: expected a property name but found ${describe(token)}.`);
        }
        if (token.text === 'not') {
            throw new ODataFilterError(`The 'not' operator is not supported here (position ${token.at}).`);
        }
        if (this.peek()?.kind === '(') {
            throw new ODataFilterError(`Unsupported function '${token.text}' at position ${token.at}.`);
        }
        const operator = this.take();
        if (operator?.kind !== 'word' || !comparisonOperators.includes(operator.text)) {
            const found = operator?.kind === 'word' ? `operator '${operator.text}'` : describe(operator);
            throw new ODataFilterError(
                `Syntax error: expected eq, ne, gt, ge, lt or le after '${token.text}' but found ${found}.`,
            );
        }
        const literal = this.take();
        if (literal?.kind !== 'literal') {
            throw new ODataFilterError(`Syntax error: expected a literal but found ${describe(literal)}.`);
        }
        return {
            kind: 'comparison',
            property: token.text,
            operator: operator.text as ComparisonOperator,
            literal: literal.literal,
        };
    }
}

/** Parses a `$filter` text into a tree; throws ODataFilterError on bad syntax. */
export function parseFilter(text: string): FilterNode {
    return new Parser(tokenize(text)).parse();
}

function compareOrdinal(operator: ComparisonOperator, value: FilterValue, literal: string): boolean {
    if (typeof value !== 'string') {
        return operator === 'ne';
    }
    switch (operator) {
        case 'eq':
            return value === literal;
        case 'ne':
            return value !== literal;
        case 'gt':
            return value > literal;
        case 'ge':
            return value >= literal;
        case 'lt':
            return value < literal;
        case 'le':
            return value <= literal;
    }
}

function compileComparison<T>(
    node: Extract<FilterNode, { kind: 'comparison' }>,
    schema: FilterSchema,
    read: (item: T, property: string) => FilterValue,
): FilterPredicate<T> {
    const { property, operator, literal } = node;
    const definition = Object.hasOwn(schema.properties, property) ? schema.properties[property] : undefined;
    if (definition === undefined) {
        throw new ODataFilterError(`Could not find a property named '${property}' on type '${schema.entityType}'.`);
    }
    const equalityOnly = definition.type === 'enum' || definition.type === 'boolean';
    const allowed = definition.operators ?? (equalityOnly ? ['eq', 'ne'] : comparisonOperators);
    if (!allowed.includes(operator)) {
        throw new ODataFilterError(`Operator '${operator}' is not supported on property '${property}'.`);
    }
    const mismatch = (): ODataFilterError =>
        new ODataFilterError(`A ${literal.kind} literal cannot be compared with '${property}' (${definition.type}).`);

    if (literal.kind === 'null') {
        if (operator !== 'eq' && operator !== 'ne') {
            throw new ODataFilterError(`Only eq and ne can compare '${property}' with null.`);
        }
        const wantNull = operator === 'eq';
        return (item) => {
            const value = read(item, property);
            return (value === null || value === undefined) === wantNull;
        };
    }

    switch (definition.type) {
        case 'string': {
            if (literal.kind !== 'string') {
                throw mismatch();
            }
            return (item) => compareOrdinal(operator, read(item, property), literal.value);
        }
        case 'enum': {
            if (literal.kind === 'enum' && literal.enumType !== definition.enumType) {
                throw new ODataFilterError(`'${literal.enumType}' is not the type of '${property}'.`);
            }
            if (literal.kind !== 'string' && literal.kind !== 'enum') {
                throw mismatch();
            }
            if (definition.enumValues !== undefined && !definition.enumValues.includes(literal.value)) {
                throw new ODataFilterError(
                    `The string '${literal.value}' is not a valid enumeration type constant for '${property}'.`,
                );
            }
            return (item) => compareOrdinal(operator, read(item, property), literal.value);
        }
        case 'dateTimeOffset': {
            if (literal.kind === 'string') {
                // Quoted: a string, not an instant. Graph returns nothing rather than an error (issue #19592).
                return () => false;
            }
            if (literal.kind !== 'dateTimeOffset') {
                throw mismatch();
            }
            return (item) => compareOrdinal(operator, read(item, property), literal.value);
        }
        case 'boolean': {
            if (literal.kind !== 'boolean') {
                throw mismatch();
            }
            const wantEqual = operator === 'eq';
            return (item) => (read(item, property) === literal.value) === wantEqual;
        }
    }
}

/** Type-checks a parsed filter against the schema and returns a predicate; throws ODataFilterError. */
export function compileFilter<T>(
    node: FilterNode,
    schema: FilterSchema,
    read: (item: T, property: string) => FilterValue,
): FilterPredicate<T> {
    if (node.kind === 'comparison') {
        return compileComparison(node, schema, read);
    }
    const left = compileFilter(node.left, schema, read);
    const right = compileFilter(node.right, schema, read);
    return node.kind === 'and' ? (item) => left(item) && right(item) : (item) => left(item) || right(item);
}

/** Parses and compiles in one step. */
export function createFilterPredicate<T>(
    text: string,
    schema: FilterSchema,
    read: (item: T, property: string) => FilterValue,
): FilterPredicate<T> {
    return compileFilter(parseFilter(text), schema, read);
}
