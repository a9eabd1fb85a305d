// Azure Web PubSub: live push of changes to the agents' open workspaces (one WebSocket per
// open workspace tab). Entra ID only: access keys are off (disableLocalAuth), the app
// publishes and issues client access tokens with its user-assigned identity (Web PubSub
// Service Owner on this resource), and the service's own system-assigned identity signs
// its calls to the app's event handler (the hub, modules/webpubsub-hub.bicep, which is
// deployed after the app because it needs the app's host name).

@description('Web PubSub resource name (3-63 letters, digits and hyphens, starting with a letter).')
@minLength(3)
@maxLength(63)
param name string

@description('Azure region of the resource.')
param location string

@description('Tags applied to the resource.')
param tags object = {}

@description('SKU: Free_F1 (trials only: 20 concurrent connections, 20,000 messages a day, 1 unit, no SLA), Standard_S1 or Premium_P1 (1,000 concurrent connections and 1,000,000 messages a day per unit; Premium adds availability zones and autoscale). Its tier follows from it.')
@allowed([
  'Free_F1'
  'Standard_S1'
  'Premium_P1'
])
param serviceSku string = 'Standard_S1'

@description('Units (each 1,000 concurrent connections). Free_F1 always has 1, whatever this says.')
@allowed([
  1
  2
  3
  4
  5
  6
  7
  8
  9
  10
  20
  30
  40
  50
  60
  70
  80
  90
  100
])
param capacity int = 1

@description('Principal ID of the app\'s user-assigned identity; it gets Web PubSub Service Owner on this resource to publish live updates and issue client access tokens (there are no access keys).')
param appPrincipalId string

@description('Log Analytics workspace receiving the resource logs (connections, and the REST calls the service answers).')
param logAnalyticsId string

var webPubSubServiceOwnerRoleId = '12cf5a90-567b-43ae-8102-96cf46c7d9b4'
var tiers = {
  Free_F1: 'Free'
  Standard_S1: 'Standard'
  Premium_P1: 'Premium'
}

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' = {
  name: name
  location: location
  tags: tags
  kind: 'WebPubSub'
  sku: {
    name: serviceSku
    tier: tiers[serviceSku]
    capacity: (serviceSku == 'Free_F1') ? 1 : capacity
  }
  // The service calls the app's event handler with a token of this identity
  // (auth type ManagedIdentity in the hub); the app checks it is this principal.
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    // No access keys, no connection strings: Entra ID (RBAC) only.
    disableLocalAuth: true
    disableAadAuth: false
    // Agents' browsers connect from anywhere, like the app's own pages (modules/functionapp.bicep).
    publicNetworkAccess: 'Enabled'
    // Browsers present no client certificates. The resource has no setting for a minimum
    // TLS version (storage and the app have one, set to 1.2): the service decides it.
    tls: {
      clientCertEnabled: false
    }
    // The live trace tool stays off (its traffic is billed as outbound messages).
    liveTraceConfiguration: {
      enabled: 'false'
    }
    resourceLogConfiguration: {
      categories: [
        {
          name: 'ConnectivityLogs'
          enabled: 'true'
        }
        {
          name: 'MessagingLogs'
          enabled: 'false'
        }
      ]
    }
  }
}

// Connections opened, closed and refused (event handler failures included), and the REST
// calls the app makes, in the same workspace as the app's telemetry. Messaging logs (one
// row per message) stay off.
resource resourceLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs-to-log-analytics'
  scope: webPubSub
  properties: {
    workspaceId: logAnalyticsId
    logs: [
      {
        category: 'ConnectivityLogs'
        enabled: true
      }
      {
        category: 'HttpRequestLogs'
        enabled: true
      }
    ]
  }
}

// Scoped to this resource: the app may publish to it and issue tokens for it, nothing else.
resource appServiceOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(webPubSub.id, appPrincipalId, webPubSubServiceOwnerRoleId)
  scope: webPubSub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', webPubSubServiceOwnerRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Switchboard app: publish live updates to agents\' workspaces and issue their client access tokens (access keys are off).'
  }
}

@description('Web PubSub resource name.')
output name string = webPubSub.name

@description('Host name of the service (no scheme); WEBPUBSUB_ENDPOINT is https://<it>.')
output hostName string = webPubSub.properties.hostName

@description('Principal ID of the service\'s system-assigned identity, which signs its calls to the event handler (WEBPUBSUB_PRINCIPAL_ID).')
output principalId string = webPubSub.identity.principalId
