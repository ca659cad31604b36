import { stat } from 'node:fs/promises';

import { AppError } from '../errors';
import { loadRulesFile } from '../rules/loadRules';
import { RulesFile } from '../rules/ruleSchema';
import { RulesSource } from './remediateBatch';

/**
 * The rules file on disk, parsed again only when it changed (size or modification time), so an edit takes
 * effect on the next batch and an invalid edit stops actions on the next batch. `${NAME}` placeholders take
 * their values from the app settings given.
 */
export class FileRulesSource implements RulesSource {
    private cached: { key: string; rules: RulesFile } | undefined;

    constructor(
        readonly location: string,
        private readonly settings: Readonly<Record<string, string | undefined>>,
    ) {}

    async load(): Promise<RulesFile> {
        let key: string;
        try {
            const info = await stat(this.location);
            key = `${info.size}:${info.mtimeMs}`;
        } catch (error) {
            throw new AppError('rules.invalid', `Rules file ${this.location} cannot be read`, false, { cause: error });
        }
        if (this.cached?.key !== key) {
            this.cached = { key, rules: await loadRulesFile(this.location, this.settings) };
        }
        return this.cached.rules;
    }
}
