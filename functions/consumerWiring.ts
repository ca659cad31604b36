import { systemClock } from '../shared/clock';
import { Logger } from '../shared/logger';
import { createAuditStore } from '../shared/remediation/createAuditStore';
import { FileRulesSource } from '../shared/remediation/fileRulesSource';
import { createGraphRemediationPorts } from '../shared/remediation/graphRiskActions';
import { BatchReport, ReceivedMessage, remediateBatch, RemediationConfig } from '../shared/remediation/remediateBatch';
import { ConsumerSettings, loadConsumerSettings } from '../shared/settings/settings';
import { appRootPath } from './appRoot';
import type { NotifyWiring } from './notifyWiring';
import { processGraph } from './processClients';

/** What the remediateRisk function runs with: real adapters, built once per process. */
export interface ConsumerWiring {
    settings: ConsumerSettings;
    config: RemediationConfig;
    /** One batch; Graph retries, decisions and the summary go to `logger` (the invocation context). */
    remediateWith(messages: readonly ReceivedMessage[], logger: Logger): Promise<BatchReport>;
}

/** The consumer's settings and real adapters, from the app settings; decisions go to the process's notifier. */
export function createConsumerWiring(env: Record<string, string | undefined>, notify: NotifyWiring): ConsumerWiring {
    const settings = loadConsumerSettings(env);
    const graph = processGraph(env);
    const rules = new FileRulesSource(appRootPath(settings.RULES_FILE), env);
    const audit = createAuditStore(settings, settings.TENANT_ID);
    const config: RemediationConfig = {
        tenantId: settings.TENANT_ID,
        forceDryRun: settings.FORCE_DRY_RUN,
        breakerCaps: {
            confirmCompromised: settings.BREAKER_MAX_CONFIRMATIONS_PER_HOUR,
            dismiss: settings.BREAKER_MAX_DISMISSALS_PER_HOUR,
        },
    };
    return {
        settings,
        config,
        remediateWith: (messages, logger) =>
            remediateBatch(
                messages,
                {
                    ...createGraphRemediationPorts(graph.withLogger(logger)),
                    rules,
                    audit,
                    notifier: notify.notifierWith(logger),
                    clock: systemClock,
                },
                config,
                logger,
            ),
    };
}
