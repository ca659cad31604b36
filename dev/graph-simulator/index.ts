/**
 * Graph simulator: a local stand-in for the Microsoft Graph endpoints risk-responder uses, plus tenants to
 * serve (hand-made with createTenant, or seeded synthetic ones with createSyntheticTenant).
 */
export {
    startGraphSimulator,
    type GraphSimulator,
    type GraphSimulatorOptions,
    type GraphSimulatorStats,
    type RecordedRequest,
    type SentMail,
} from './startGraphSimulator';
export type { FaultKind, FaultSpec } from './faults';
export {
    SimulatedTenant,
    createTenant,
    maxUserIdsPerAction,
    type ChangeOptions,
    type DetectionChanges,
    type DetectionRecord,
    type NewDetection,
    type NewGroup,
    type NewUser,
    type RiskyUserAction,
    type RiskyUserHistoryItem,
    type ScheduledEvent,
    type SignInLocation,
    type SimulatedDetection,
    type SimulatedGroup,
    type SimulatedRiskyUser,
    type SimulatedUser,
    type TenantOptions,
    type VersionedDetection,
} from './tenant';
export {
    createSyntheticTenant,
    scheduleDetections,
    type DetectionPlan,
    SyntheticTenant,
    type DetectionScheduleSummary,
    type SyntheticDirectory,
    type SyntheticTenantOptions,
} from './syntheticTenant';
export { formatGraphDateTime, parseDateTimeOffset } from './datetime';
