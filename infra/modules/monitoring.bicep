// Log Analytics workspace and a workspace-based Application Insights component. Local (instrumentation key)
// authentication is off: the app sends telemetry with its managed identity (Monitoring Metrics Publisher, see
// roleAssignments.bicep, and APPLICATIONINSIGHTS_AUTHENTICATION_STRING in main.bicep).

param logAnalyticsName string
param applicationInsightsName string
param location string
param tags object

@description('Days Log Analytics keeps logs and telemetry.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

output applicationInsightsName string = applicationInsights.name
@description('Connection string of Application Insights (an endpoint and a key that only identifies the component; with local auth off it grants nothing).')
output connectionString string = applicationInsights.properties.ConnectionString
output logAnalyticsWorkspaceId string = workspace.id
