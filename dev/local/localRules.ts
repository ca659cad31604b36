import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { parseDocument } from 'yaml';

import { getRulesProblems, loadRulesFile } from '../../shared/rules/loadRules';

/**
 * The rules file of a local run, derived from `rules.sample.yaml` at the app root so the sample stays the one
 * documented starting point: the synthetic tenant's break-glass and exclusion groups are the exclusions, the
 * `secops` owner posts to the local webhook sink (through the `${TEAMS_SECOPS_WEBHOOK}` placeholder, filled from
 * the app settings) and mails a local mailbox, and the mode is the one asked for. Comments are kept.
 */

export interface LocalRulesOptions {
    /** The app root holding rules.sample.yaml. */
    appRoot: string;
    /** Where to write the rules file. */
    file: string;
    mode: 'dryRun' | 'enforce';
    /** Group ids never acted on; the sample's placeholder is replaced. Undefined keeps the sample's. */
    exclusionGroupIds?: readonly string[];
    /** Addresses of the secops owner's email. */
    ownerEmail: readonly string[];
    /** The tenant the file was made for, for the header comment. */
    tenantId: string;
}

/** The sample at the app root. */
export function sampleRulesFile(appRoot: string): string {
    return join(appRoot, 'rules.sample.yaml');
}

/** Writes the local rules file and returns its path. */
export async function writeLocalRules(options: LocalRulesOptions): Promise<string> {
    const document = parseDocument(await readFile(sampleRulesFile(options.appRoot), 'utf8'));
    document.commentBefore =
        ` Written by \`risk-responder start\` from rules.sample.yaml for tenant ${options.tenantId}; rewritten on` +
        ' every start.\n Edit it while the stack runs to see an edit (or an invalid file) take effect on the next batch.\n' +
        (document.commentBefore ? `\n${document.commentBefore}` : '');
    document.set('mode', options.mode);
    if (options.exclusionGroupIds !== undefined) {
        document.setIn(['exclusions', 'groups'], document.createNode([...options.exclusionGroupIds]));
    }
    document.setIn(['owners', 'secops', 'email'], document.createNode([...options.ownerEmail]));
    await writeFile(options.file, document.toString(), 'utf8');
    return options.file;
}

/** Loads the rules file with the app settings as the consumer would, and names the problems if it is invalid. */
export async function checkRulesFile(
    file: string,
    settings: Readonly<Record<string, string | undefined>>,
): Promise<{ ok: true } | { ok: false; problems: string[] }> {
    try {
        await loadRulesFile(file, settings);
        return { ok: true };
    } catch (error) {
        const problems = getRulesProblems(error)?.map((problem) => `${problem.path}: ${problem.message}`);
        return { ok: false, problems: problems ?? [error instanceof Error ? error.message : String(error)] };
    }
}
