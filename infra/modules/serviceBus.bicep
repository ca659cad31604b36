// Service Bus namespace (Standard: duplicate detection and scheduled messages need it) with the two queues of the
// app. Local (SAS key) authentication is disabled: the poller's sender, the triggers and the notifier all use the
// managed identity (Azure Service Bus Data Sender and Data Receiver, see roleAssignments.bicep).

param name string
param location string
param tags object

@description('Queue of detections: pollRiskDetections sends, remediateRisk receives (RISK_QUEUE_NAME).')
param riskQueueName string

@description('Queue of notification delivery jobs: remediateRisk sends, deliverNotifications receives (NOTIFY_QUEUE_NAME).')
param notifyQueueName string

resource namespace 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

// remediateRisk takes this queue in batches (cardinality many, host.json maxMessageBatchSize 100, prefetch 0).
// - lockDuration PT5M, the most Service Bus allows: batch functions get no lock renewal, so a whole batch, paced
//   at Graph's 1 request/second/tenant, must finish inside one lock.
// - Duplicate detection over PT1H, well beyond the poller's 15-minute overlap (POLL_OVERLAP_MINUTES): message ids
//   are derived from (tenant, detection id, lastUpdatedDateTime), so a re-read detection version is dropped here.
// - maxDeliveryCount 10: a failing batch is retried ten times, then dead-lettered (MaxDeliveryCountExceeded);
//   expired messages are dead-lettered too, never silently dropped.
resource riskQueue 'Microsoft.ServiceBus/namespaces/queues@2022-10-01-preview' = {
  parent: namespace
  name: riskQueueName
  properties: {
    lockDuration: 'PT5M'
    maxDeliveryCount: 10
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT1H'
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P14D'
    requiresSession: false
    enablePartitioning: false
    enableBatchedOperations: true
    maxSizeInMegabytes: 1024
  }
}

// deliverNotifications takes one job at a time (auto lock renewal applies); its own retries are scheduled copies
// with a new message id per attempt (NOTIFY_MAX_ATTEMPTS), so duplicate detection only drops the copies a
// redelivered remediation batch sends again.
resource notifyQueue 'Microsoft.ServiceBus/namespaces/queues@2022-10-01-preview' = {
  parent: namespace
  name: notifyQueueName
  properties: {
    lockDuration: 'PT1M'
    maxDeliveryCount: 10
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT1H'
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P2D'
    requiresSession: false
    enablePartitioning: false
    enableBatchedOperations: true
    maxSizeInMegabytes: 1024
  }
}

output name string = namespace.name
output id string = namespace.id
@description('Host name of the namespace, e.g. <name>.servicebus.windows.net (cloud-specific suffix).')
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
