// Storage account shared by the Functions host (keys, timer leases), the Flex Consumption
// code package and Switchboard's own tables. Reachable only with Entra ID: shared-key
// access is off, so nothing in this deployment ever holds an account key or SAS.

@description('Globally unique storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the storage account.')
param location string

@description('Tags applied to the storage account.')
param tags object = {}

@description('Replication of the account. Conversations live here, so the default keeps a geo-copy.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
param skuName string = 'Standard_GRS'

@description('Principal ID of the app\'s user-assigned identity; it gets the data-plane roles the Functions runtime and the tables need.')
param appPrincipalId string

@description('Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string = 'app-package'

@description('Blob container where Event Grid dead-letters ACS events it could not deliver.')
param deadLetterContainerName string = 'eventgrid-deadletter'

@description('OUTBOX_QUEUE: the Storage queue of sends to try again (and <name>-poison for those that ran out of tries).')
param outboxQueueName string = 'outbox'

// Built-in role definition IDs.
var storageBlobDataOwnerRoleId = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageQueueDataContributorRoleId = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageTableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  // checkov:skip=CKV_AZURE_35: Flex Consumption without VNet integration reaches host storage, the code package and the tables over the public endpoint; access is Entra-only (shared keys off).
  // checkov:skip=CKV_AZURE_59: Same reason as CKV_AZURE_35: the app and the Flex deployment service need the public endpoint; there is no private network in this deployment.
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    isLocalUserEnabled: false
    isSftpEnabled: false
    isHnsEnabled: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: {
          enabled: true
          keyType: 'Account'
        }
        file: {
          enabled: true
          keyType: 'Account'
        }
        queue: {
          enabled: true
          keyType: 'Account'
        }
        table: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deadLetterContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// The outbox queue (sends to try again) and where its jobs go when they run out of tries.
resource outboxQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for name in [outboxQueueName, '${outboxQueueName}-poison']: {
  parent: queueService
  name: name
}]

// The Functions host keeps its keys and timer leases in blobs and reads the code package
// from the deployment container: Storage Blob Data Owner is what identity-based host storage
// requires. Queue Data Contributor is what the runtime needs for its internal queues.
resource blobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, storageBlobDataOwnerRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwnerRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Switchboard app: Functions host storage and Flex Consumption deployment package.'
  }
}

resource queueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, storageQueueDataContributorRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributorRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Switchboard app: Functions runtime queues.'
  }
}

// Switchboard creates and uses its tables (accounts, conversations, ...) at run time, so the
// role is granted on the account rather than on individual tables.
resource tableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, storageTableDataContributorRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributorRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Switchboard app: conversation and account tables.'
  }
}

@description('Storage account name.')
output name string = storage.name

@description('Storage account resource ID.')
output id string = storage.id

@description('Blob endpoint, ending with a slash.')
output blobEndpoint string = storage.properties.primaryEndpoints.blob

@description('Table endpoint without a trailing slash, as SWITCHBOARD_TABLES_ENDPOINT expects it.')
output tableEndpoint string = 'https://${storage.name}.table.${environment().suffixes.storage}'

@description('Container holding the Flex Consumption deployment package.')
output deploymentContainerName string = deploymentContainer.name

@description('Container receiving dead-lettered Event Grid events.')
output deadLetterContainerName string = deadLetterContainer.name
