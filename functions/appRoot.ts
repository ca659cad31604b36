import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The function app's root: the nearest folder above this file that holds host.json (the deployed package root,
 * or the repository when run from source). Relative paths in app settings (RULES_FILE) are taken from there,
 * whatever the worker's working directory is.
 */
export function appRootPath(relative: string): string {
    let folder = __dirname;
    while (!existsSync(join(folder, 'host.json'))) {
        const parent = dirname(folder);
        if (parent === folder) {
            return resolve(relative);
        }
        folder = parent;
    }
    return resolve(folder, relative);
}
