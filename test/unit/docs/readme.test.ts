import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { notifySettingKeys } from '../../../shared/settings/notifySettings';
import { consumerSettingKeys, pollerSettingKeys } from '../../../shared/settings/settings';

const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');

describe('README', () => {
    it('documents every app setting the schemas know', () => {
        const keys = new Set([...pollerSettingKeys, ...consumerSettingKeys, ...notifySettingKeys]);
        expect([...keys].filter((key) => !readme.includes(`\`${key}\``))).toEqual([]);
    });

    it('opens with the two commands a newcomer runs', () => {
        const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
        expect(firstBlock).toMatch(/^npm install && npm start\b/m);
        expect(firstBlock).toMatch(/^npm test\b/m);
    });
});
