// The app's user-assigned managed identity: the one principal every function, the Functions host and the Key
// Vault references run as. Its principalId (the service principal's object id) is what grant-permissions needs.

@description('Name of the identity.')
param name string

param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
@description('Client (application) id: AZURE_CLIENT_ID and the __clientId of identity-based connections.')
output clientId string = identity.properties.clientId
@description('Object id of the service principal: role assignments and Graph app role assignments.')
output principalId string = identity.properties.principalId
