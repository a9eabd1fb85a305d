// Azure Communication Services resource, its Event Grid system topic and (optionally) the
// event subscription that pushes SMS / Advanced Messaging events to Switchboard.
//
// The subscription must be created only once the app code is live: on creation Event Grid
// sends a validation event to the endpoint and fails the deployment if it is not answered.
// deploy.sh therefore runs the template once without it, deploys the code, then runs it
// again with acsAccountId set.

@description('Communication Services resource name.')
param communicationServicesName string

@description('Event Grid system topic name for the Communication Services resource.')
param systemTopicName string

@description('Where Communication Services stores data at rest.')
param dataLocation string = 'United States'

@description('Tags applied to the resources.')
param tags object = {}

@description('Storage account holding the dead-letter container.')
param storageAccountName string

@description('Container receiving events Event Grid could not deliver.')
param deadLetterContainerName string

@description('HTTPS endpoint receiving the events (https://<app>/api/acs/<account_id>/events). Empty: no event subscription.')
param eventsEndpointUrl string = ''

@description('Entra tenant ID Event Grid gets its delivery token from.')
param aadTenantId string = tenant().tenantId

@description('Application (client) ID or Application ID URI of the Entra app protecting the endpoint; Event Grid requests its token for this audience.')
param aadApplicationIdOrUri string = ''

@description('Maximum delivery attempts before an event is dead-lettered.')
@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int = 30

@description('Minutes an undelivered event is retried before it is dead-lettered.')
@minValue(1)
@maxValue(1440)
param eventTimeToLiveInMinutes int = 1440

var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var createSubscription = !empty(eventsEndpointUrl)

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: deadLetterContainerName
}

resource communicationServices 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: communicationServicesName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
  }
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  location: 'global'
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: communicationServices.id
    topicType: 'Microsoft.Communication.CommunicationServices'
  }
}

// The storage account has shared keys off, so Event Grid dead-letters with the topic's
// managed identity, allowed to write to the dead-letter container only.
resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(deadLetterContainer.id, systemTopic.id, storageBlobDataContributorRoleId)
  scope: deadLetterContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
    principalId: systemTopic.identity.principalId
    principalType: 'ServicePrincipal'
    description: 'Event Grid system topic for ACS: write dead-lettered events.'
  }
}

resource eventSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = if (createSubscription) {
  parent: systemTopic
  name: 'switchboard-acs-events'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: eventsEndpointUrl
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
        azureActiveDirectoryTenantId: aadTenantId
        azureActiveDirectoryApplicationIdOrUri: aadApplicationIdOrUri
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Communication.AdvancedMessageReceived'
        'Microsoft.Communication.AdvancedMessageDeliveryStatusUpdated'
        'Microsoft.Communication.SMSReceived'
        'Microsoft.Communication.SMSDeliveryReportReceived'
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: maxDeliveryAttempts
      eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storage.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
  dependsOn: [
    deadLetterWriter
  ]
}

@description('Communication Services resource name.')
output communicationServicesName string = communicationServices.name

@description('Event Grid system topic name.')
output systemTopicName string = systemTopic.name

@description('Event subscription name, or empty when none was created.')
output eventSubscriptionName string = createSubscription ? eventSubscription.name : ''
