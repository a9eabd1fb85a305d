// The Web PubSub hub the workspaces connect to, with one event handler: the service tells
// the app when a workspace's connection opens and closes (the "connected" and
// "disconnected" system events; no "connect" event, no user events: clients only listen).
// Deployed after the app (main.bicep), because the handler's URL is the app's host name.
//
// The service calls the handler with an Entra access token of its system-assigned identity
// for the audience App Service Authentication accepts (the app registration), so Easy Auth
// validates it like any caller's; the app then checks that the caller is that identity
// (WEBPUBSUB_PRINCIPAL_ID). The identity needs an app role on the registration when the
// registration requires assignment: deploy.sh assigns Switchboard.RealtimeEvents
// (infra/app-roles.json), which grants nothing in the app.

@description('Name of the Web PubSub resource (modules/webpubsub.bicep).')
param webPubSubName string

@description('Hub name (WEBPUBSUB_HUB): letters, digits and underscores, starting with a letter.')
@minLength(1)
@maxLength(128)
param hubName string

@description('HTTPS URL of the app\'s event handler: https://<app default host name>/api/realtime/events.')
param eventHandlerUrl string

@description('Audience of the token the service sends to the event handler: the App ID URI (api://<client id>) of the app registration App Service Authentication accepts.')
param eventHandlerAudience string

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' existing = {
  name: webPubSubName
}

resource hub 'Microsoft.SignalRService/webPubSub/hubs@2024-03-01' = {
  parent: webPubSub
  name: hubName
  properties: {
    eventHandlers: [
      {
        urlTemplate: eventHandlerUrl
        systemEvents: [
          'connected'
          'disconnected'
        ]
        auth: {
          type: 'ManagedIdentity'
          managedIdentity: {
            resource: eventHandlerAudience
          }
        }
      }
    ]
    eventListeners: []
    // Only clients holding an access token the app issued may connect.
    anonymousConnectPolicy: 'Deny'
  }
}

@description('Hub name.')
output name string = hub.name
