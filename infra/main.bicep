// risk-responder on Azure, deployed by `azd up` (azure.yaml): a Function App on the Flex Consumption plan running
// as one user-assigned managed identity, with Service Bus, storage, Key Vault and Application Insights reached by
// that identity. No connection string, account key or SAS is created or stored anywhere. Microsoft Graph
// permissions are granted afterwards with `risk-responder grant-permissions` (docs/deploy.md).
//
// The app settings below are checked against the settings schemas in shared/settings/ by
// test/unit/deploy/templates.test.ts: every key the code requires is set here, in its identity-based form.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment: part of every resource name and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Region of every resource; it must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
param location string

@description('Resource group to create; default rg-<environmentName>.')
param resourceGroupName string = ''

@description('FORCE_DRY_RUN: true forces dry-run whatever the rules file says. A first deployment never acts; set it to false (azd env set FORCE_DRY_RUN false) only when the audit records show the decisions you expect.')
param forceDryRun bool = true

@description('RULES_FILE: the rules file, relative to the app root; packaged with the code (see azure.yaml).')
param rulesFile string = 'rules.yaml'

@description('MIN_RISK_LEVEL: lowest risk level queued.')
@allowed([
  'low'
  'medium'
  'high'
])
param minRiskLevel string = 'high'

@description('POLL_SCHEDULE: NCRONTAB schedule of pollRiskDetections (6 fields).')
param pollSchedule string = '0 */5 * * * *'

@description('GRAPH_ENDPOINT: https://graph.microsoft.com; https://graph.microsoft.us (GCC High) or https://dod-graph.microsoft.us (DoD).')
param graphEndpoint string = 'https://graph.microsoft.com'

@description('ENTRA_PORTAL_URL: admin center root for links in notifications.')
param entraPortalUrl string = 'https://entra.microsoft.com'

@description('MAIL_SENDER: mailbox (UPN) notification mail is sent from; empty for no email channel.')
param mailSender string = ''

@description('ALERT_EMAIL: comma-separated addresses of the default alert owner (needs mailSender); may be empty.')
param alertEmail string = ''

@secure()
@description('Teams Workflows webhook URL of the secops owner, kept in Key Vault and referenced by TEAMS_SECOPS_WEBHOOK (the sample rules file uses it). Empty: neither secret nor setting.')
param teamsSecopsWebhookUrl string = ''

@secure()
@description('Teams Workflows webhook URL of the default alert owner, kept in Key Vault and referenced by ALERT_TEAMS_WEBHOOK. Empty: neither secret nor setting.')
param alertTeamsWebhookUrl string = ''

@description('Most instances per function. 1: the consumer is bound by Graph\'s 1 request/second/tenant and paces in one process (host.json: prefetch 0, batches of 100, dynamic concurrency off).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 1

@description('Memory of each Flex Consumption instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Node.js major version of the Functions runtime.')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '22'

@description('Key Vault purge protection (cannot be turned off again once on).')
param enableKeyVaultPurgeProtection bool = false

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

// Queue, container and table names: the defaults of the settings schemas, set explicitly in the app settings.
var names = {
  riskQueue: 'risk-detections'
  notifyQueue: 'risk-notifications'
  checkpointContainer: 'risk-responder'
  deploymentContainer: 'deployment-package'
  auditTable: 'riskresponderaudit'
  deliveryLogTable: 'riskrespondernotify'
}

var secretNames = {
  teamsSecops: 'teams-secops-webhook'
  alertTeams: 'alert-teams-webhook'
}

resource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    containerNames: [
      names.deploymentContainer
      names.checkpointContainer
    ]
    tableNames: [
      names.auditTable
      names.deliveryLogTable
    ]
  }
}

module serviceBus 'modules/serviceBus.bicep' = {
  name: 'serviceBus'
  scope: rg
  params: {
    name: 'sb-${resourceToken}'
    location: location
    tags: tags
    riskQueueName: names.riskQueue
    notifyQueueName: names.notifyQueue
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'keyVault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    secretNames: secretNames
    teamsSecopsWebhookUrl: teamsSecopsWebhookUrl
    alertTeamsWebhookUrl: alertTeamsWebhookUrl
    enablePurgeProtection: enableKeyVaultPurgeProtection
  }
}

module roleAssignments 'modules/roleAssignments.bicep' = {
  name: 'roleAssignments'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

var keyVaultSecrets = '${keyVault.outputs.uri}secrets/'

// Every app setting the settings schemas read (shared/settings/settings.ts, shared/settings/notifySettings.ts).
// Connections are identity-based: the `__fullyQualifiedNamespace` / `__accountName` forms with
// `__credential=managedidentity` and the identity's `__clientId`; the SDK clients of the code use AZURE_CLIENT_ID.
var appSettings = {
  // Functions host storage, by identity (the account refuses shared keys).
  AzureWebJobsStorage__accountName: storage.outputs.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  // Service Bus: the connection of both triggers and of the code's senders.
  ServiceBusConnection__fullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identity.outputs.clientId
  // Telemetry, sent with Entra ID (local auth is off on Application Insights).
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
  // Graph.
  TENANT_ID: tenant().tenantId
  AZURE_CLIENT_ID: identity.outputs.clientId
  GRAPH_ENDPOINT: graphEndpoint
  GRAPH_CALLS_PER_SECOND: '1'
  GRAPH_MAX_ATTEMPTS: '6'
  GRAPH_REQUEST_TIMEOUT_SECONDS: '30'
  // Intake (pollRiskDetections).
  MIN_RISK_LEVEL: minRiskLevel
  POLL_SCHEDULE: pollSchedule
  POLL_OVERLAP_MINUTES: '15'
  INITIAL_LOOKBACK_HOURS: '24'
  POLL_TIME_BUDGET_SECONDS: '240'
  RISK_QUEUE_NAME: names.riskQueue
  CHECKPOINT_STORE: 'blob'
  CHECKPOINT_CONTAINER: names.checkpointContainer
  // Remediation (remediateRisk).
  RULES_FILE: rulesFile
  FORCE_DRY_RUN: forceDryRun ? 'true' : 'false'
  BREAKER_MAX_CONFIRMATIONS_PER_HOUR: '50'
  BREAKER_MAX_DISMISSALS_PER_HOUR: '200'
  AUDIT_STORE: 'table'
  AUDIT_TABLE: names.auditTable
  // Notifications (remediateRisk's notifier and deliverNotifications).
  NOTIFY_QUEUE_NAME: names.notifyQueue
  WEBHOOK_ALLOWED_HOSTS: '.environment.api.powerplatform.com,.logic.azure.com'
  ALLOW_LOOPBACK_WEBHOOKS: 'false'
  NOTIFY_MAX_ATTEMPTS: '8'
  NOTIFY_RETRY_BASE_SECONDS: '30'
  NOTIFY_RETRY_MAX_SECONDS: '3600'
  NOTIFY_MAILS_PER_MINUTE: '30'
  WEBHOOK_TIMEOUT_SECONDS: '30'
  ENTRA_PORTAL_URL: entraPortalUrl
  DELIVERY_LOG_STORE: 'table'
  DELIVERY_LOG_TABLE: names.deliveryLogTable
}

// Settings that exist only when given: an empty value would fail validation, and a Key Vault reference to a
// secret that does not exist would reach the app as its literal text.
var mailSenderSetting = empty(mailSender) ? {} : {
  MAIL_SENDER: mailSender
}
var alertEmailSetting = empty(alertEmail) ? {} : {
  ALERT_EMAIL: alertEmail
}
var teamsSecopsWebhookSetting = empty(teamsSecopsWebhookUrl) ? {} : {
  TEAMS_SECOPS_WEBHOOK: '@Microsoft.KeyVault(SecretUri=${keyVaultSecrets}${secretNames.teamsSecops}/)'
}
var alertTeamsWebhookSetting = empty(alertTeamsWebhookUrl) ? {} : {
  ALERT_TEAMS_WEBHOOK: '@Microsoft.KeyVault(SecretUri=${keyVaultSecrets}${secretNames.alertTeams}/)'
}
var optionalAppSettings = union(mailSenderSetting, alertEmailSetting, teamsSecopsWebhookSetting, alertTeamsWebhookSetting)

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  scope: rg
  // The identity's roles first, so the host's first start can reach storage, Service Bus and Key Vault.
  dependsOn: [
    roleAssignments
  ]
  params: {
    planName: 'plan-${resourceToken}'
    appName: 'func-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: names.deploymentContainer
    appSettings: union(appSettings, optionalAppSettings)
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    nodeVersion: nodeVersion
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
@description('Client id of the managed identity (AZURE_CLIENT_ID of the app).')
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
@description('Object id of the managed identity\'s service principal: risk-responder grant-permissions --principal-id.')
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output KEY_VAULT_NAME string = keyVault.outputs.name
output SERVICE_BUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
