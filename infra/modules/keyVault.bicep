// Key Vault holding the app's secrets: the Teams Workflows webhook URLs. The app settings hold only Key Vault
// references (@Microsoft.KeyVault(SecretUri=...)), resolved by App Service with the managed identity (Key Vault
// Secrets User on this vault). Access is by Azure RBAC only, no access policies.

param name string
param location string
param tags object

@description('Secret names, by role: { teamsSecops, alertTeams }.')
param secretNames object

@secure()
@description('Webhook URL of the secops owner; empty: no secret (and main.bicep sets no app setting for it).')
param teamsSecopsWebhookUrl string = ''

@secure()
@description('Webhook URL of the default alert owner; empty: no secret (and no app setting).')
param alertTeamsWebhookUrl string = ''

@description('Purge protection: a deleted vault and its secrets cannot be purged before the retention ends.')
param enablePurgeProtection bool = false

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource teamsSecopsSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(teamsSecopsWebhookUrl)) {
  parent: vault
  name: secretNames.teamsSecops
  properties: {
    value: teamsSecopsWebhookUrl
    contentType: 'Teams Workflows webhook URL'
  }
}

resource alertTeamsSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(alertTeamsWebhookUrl)) {
  parent: vault
  name: secretNames.alertTeams
  properties: {
    value: alertTeamsWebhookUrl
    contentType: 'Teams Workflows webhook URL'
  }
}

output name string = vault.name
output id string = vault.id
@description('Vault URI with a trailing slash, e.g. https://<name>.vault.azure.net/.')
output uri string = vault.properties.vaultUri
