import { Logger } from '../shared/logger';

/** Logs go to stderr, so stdout stays for results (`--print`, `--json`). */
export function createStderrLogger(verbose: boolean): Logger {
    const write = (level: string, args: unknown[]) => {
        const text = args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' ');
        process.stderr.write(`${level === 'info' ? '' : `${level}: `}${text}\n`);
    };
    return {
        debug: (...args) => verbose && write('debug', args),
        info: (...args) => write('info', args),
        warn: (...args) => write('warn', args),
        error: (...args) => write('error', args),
    };
}
