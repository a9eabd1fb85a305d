// Switchboard on Azure: Flex Consumption Function App (Linux, Python 3.11) with one
// user-assigned identity, Entra-only Storage (host + tables), Key Vault for the sealing key
// and the sign-in client secret, App Service Authentication with Microsoft Entra ID,
// Application Insights + Log Analytics with local auth off, Azure Web PubSub (Entra only)
// for live push to the agents' workspaces, and optionally Azure Communication Services with
// its Event Grid system topic and event subscription.
//
// Deploy with infra/deploy.sh; see docs/deployment.md for the order of steps and why.

targetScope = 'resourceGroup'

@description('Short prefix for resource names: 3-10 lowercase letters or digits, starting with a letter.')
@minLength(3)
@maxLength(10)
param namePrefix string

@description('Azure region for the regional resources. It must offer the Flex Consumption plan.')
param location string = resourceGroup().location

@description('Tags applied to every resource.')
param tags object = {}

@description('Memory of each Flex Consumption instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound on the number of Flex Consumption instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Replication of the storage account that holds conversations, Functions host state and the code package.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
param storageSku string = 'Standard_GRS'

@description('Days the Log Analytics workspace keeps logs and telemetry.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('E-mail address the operational alerts (send failures, outbox age, poison messages, 5xx answers, Event Grid dead-lettering) notify. Empty: they fire in the portal only.')
param alertEmail string = ''

@description('Name of the Key Vault secret holding the Fernet sealing key(s) read as SWITCHBOARD_SEALING_KEY. deploy.sh creates it on the first deploy and never overwrites it.')
param sealingKeySecretName string = 'switchboard-sealing-key'

@description('Object ID of the user, service principal or group that runs deployments. It is granted Key Vault Secrets Officer on the vault so it can create and rotate the sealing key. Empty: no grant.')
param deployerPrincipalId string = ''

@description('Principal type of deployerPrincipalId.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param deployerPrincipalType string = 'User'

@description('Application (client) ID of the Entra app registration agents and admins sign in with (deploy.sh creates it, with the app roles Switchboard.Admin, Switchboard.Supervisor and Switchboard.Agent). Empty: no App Service Authentication settings are deployed, and the app refuses every agent and admin route (401).')
param entraClientId string = ''

@description('Name of the Key Vault secret holding that app registration\'s client secret, read as MICROSOFT_PROVIDER_AUTHENTICATION_SECRET. deploy.sh creates it on the first deploy with sign-in and never overwrites it.')
param entraClientSecretName string = 'switchboard-entra-client-secret'

@description('Base URL (https://host, no trailing slash) that providers call, when a custom domain or gateway fronts the app; becomes PUBLIC_BASE_URL and the base of every callback URL. Empty: https://<app default host name>.')
param publicBaseUrl string = ''

@description('AUTO_CLOSE_SCHEDULE: NCRONTAB (six fields) schedule of the timer that closes idle conversations.')
param autoCloseSchedule string = '0 */5 * * * *'

@description('DISTRIBUTION_SCHEDULE: NCRONTAB (six fields) schedule of the work distribution timer (offers that lapse, agents\' watches).')
param distributionSchedule string = '*/10 * * * * *'

@description('OUTBOX_QUEUE: the Storage queue of sends the outbox tries again (and <name>-poison).')
param outboxQueueName string = 'outbox'

@description('AGENT_OFFLINE_AFTER_SECONDS: an agent whose workspace has been silent this long is offline.')
@minValue(30)
param agentOfflineAfterSeconds int = 120

@description('AUTO_CLOSE_MIN_MINUTES: minutes without activity after which the timer closes a conversation.')
@minValue(1)
param autoCloseMinMinutes int = 480

@description('DIRECTLINE_BASE_URL: the Direct Line 3.0 endpoint workstreams\' bots are reached at (a regional one, e.g. https://europe.directline.botframework.com, where the bot uses it).')
param directLineBaseUrl string = 'https://directline.botframework.com'
@description('RETENTION_SCHEDULE: NCRONTAB (six fields) schedule of the customer-data timer (conversations past their retention, expired audit entries, unfinished erasures).')
param retentionSchedule string = '0 */15 * * * *'
@description('TEMPLATE_SYNC_SCHEDULE: NCRONTAB (six fields) schedule of the template sync (every WhatsApp account\'s templates from its provider).')
param templateSyncSchedule string = '0 0 */6 * * *'

@description('RETENTION_MAX_DAYS: no closed conversation is kept longer than this many days, whatever its workstream says. 0: workstreams decide (none set: kept).')
@minValue(0)
param retentionMaxDays int = 0

@description('AUDIT_RETENTION_DAYS: days the audit trail keeps an admin change.')
@minValue(1)
param auditRetentionDays int = 365

@description('PHONE_REGION: the country (ISO 3166 alpha-2, e.g. US, GB, DE) whose national numbers admins and agents type without a country code, such as (312) 546-7890.')
@minLength(2)
@maxLength(2)
param phoneRegion string = 'US'

@description('Create Azure Web PubSub for live push to the agents\' open workspaces (one connection per open workspace tab). Only with sign-in (entraClientId): the service authenticates to the app\'s event handler through App Service Authentication. false, or no sign-in: no Web PubSub settings, and the workspace long-polls GET /api/me/changes.')
param deployWebPubSub bool = true

@description('Web PubSub SKU: Standard_S1 (production, SLA), Premium_P1 (adds availability zones and autoscale) or Free_F1 (trials: 20 concurrent connections, 20,000 messages a day, no SLA). See docs/deployment.md for sizing and cost.')
@allowed([
  'Free_F1'
  'Standard_S1'
  'Premium_P1'
])
param webPubSubSku string = 'Standard_S1'

@description('Web PubSub units, 1,000 concurrent connections each (Free_F1: always 1).')
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
param webPubSubUnits int = 1

@description('WEBPUBSUB_HUB: the Web PubSub hub the workspaces connect to (letters, digits and underscores, starting with a letter).')
@minLength(1)
@maxLength(128)
param webPubSubHubName string = 'switchboard'

@description('Create an Azure Communication Services resource and its Event Grid system topic.')
param deployCommunicationServices bool = false

@description('Data location of the Communication Services resource (for example "United States", "Europe", "UK").')
param communicationServicesDataLocation string = 'United States'

@description('Switchboard account ID (returned by POST /api/admin/accounts) whose ACS events the Event Grid subscription delivers to https://<app>/api/acs/<acsAccountId>/events. Empty: no subscription. Set it only once the code is deployed, because Event Grid validates the endpoint when the subscription is created. Requires deployCommunicationServices.')
param acsAccountId string = ''

@description('Entra tenant ID from which Event Grid obtains the bearer token it sends with each delivery.')
param eventGridAadTenantId string = tenant().tenantId

@description('Application (client) ID or Application ID URI of the Entra app registration that protects the ACS events endpoint; Event Grid requests its delivery token for this audience. Required when acsAccountId is set.')
param eventGridAadApplicationIdOrUri string = ''

@description('Delivery attempts Event Grid makes before dead-lettering an event.')
@minValue(1)
@maxValue(30)
param eventGridMaxDeliveryAttempts int = 30

@description('Minutes Event Grid keeps retrying an event before dead-lettering it.')
@minValue(1)
@maxValue(1440)
param eventGridEventTimeToLiveInMinutes int = 1440

var prefix = toLower(namePrefix)
var token = uniqueString(resourceGroup().id, prefix)
var names = {
  identity: 'id-${prefix}-${token}'
  storage: take('st${prefix}${token}', 24)
  logAnalytics: 'log-${prefix}-${token}'
  appInsights: 'appi-${prefix}-${token}'
  keyVault: take('kv-${prefix}-${token}', 24)
  plan: 'plan-${prefix}-${token}'
  functionApp: 'func-${prefix}-${token}'
  webPubSub: 'wps-${prefix}-${token}'
  communicationServices: 'acs-${prefix}-${token}'
  systemTopic: 'evgt-acs-${prefix}-${token}'
}
var createAcsSubscription = deployCommunicationServices && !empty(acsAccountId)
var signInConfigured = !empty(entraClientId)
// The service's calls to the event handler carry an Entra token that App Service
// Authentication validates: without sign-in there is nothing to check them.
var webPubSubEnabled = deployWebPubSub && signInConfigured

// What App Service Authentication lets through without sign-in. Every other path answers
// 401 to a caller that is neither signed in (browser session from /.auth/login/aad) nor
// holding an Entra access token for the app registration. Each entry is open on purpose:
//   - the provider webhooks: Twilio, TeleSign and Event Grid cannot sign in; the app checks
//     their signatures, or Event Grid's own Entra token, itself;
//   - /api/health: deploy.sh and monitors probe it; it tells nothing but "ok";
//   - /api/bots/media/*: workstreams' bots fetch customers' attachments there, at links
//     signed for one attachment and one hour (the app checks the signature);
//   - the pages and what they load (landing page, API reference, its assets and licences,
//     the OpenAPI document), so that a page can send the browser to /.auth/login/aad.
// A trailing /* stands for everything below that path. No agent or admin route may match
// an entry: anyone on the internet reaches these paths without signing in.
var publicPaths = [
  '/api/twilio/*'
  '/api/telesign/*'
  '/api/acs/*'
  '/api/health'
  '/api/bots/media/*'
  '/'
  '/index.html'
  '/assets/*'
  '/licenses/*'
  '/api-reference'
  '/api-reference.html'
  '/api/openapi.json'
]

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: names.identity
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'switchboard-monitoring'
  params: {
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
    publisherPrincipalId: appIdentity.properties.principalId
  }
}

module workbook 'modules/workbook.bicep' = {
  name: 'switchboard-workbook'
  params: {
    appInsightsName: monitoring.outputs.appInsightsName
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'switchboard-storage'
  params: {
    name: names.storage
    location: location
    tags: tags
    skuName: storageSku
    appPrincipalId: appIdentity.properties.principalId
    outboxQueueName: outboxQueueName
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'switchboard-keyvault'
  params: {
    name: names.keyVault
    location: location
    tags: tags
    appPrincipalId: appIdentity.properties.principalId
    deployerPrincipalId: deployerPrincipalId
    deployerPrincipalType: deployerPrincipalType
    logAnalyticsId: monitoring.outputs.logAnalyticsId
  }
}

// The app publishes with its identity (Web PubSub Service Owner on the resource, granted
// here); the hub comes after the app (realtimeHub below): its event handler is the app.
module webPubSub 'modules/webpubsub.bicep' = if (webPubSubEnabled) {
  name: 'switchboard-webpubsub'
  params: {
    name: names.webPubSub
    location: location
    tags: tags
    serviceSku: webPubSubSku
    capacity: webPubSubUnits
    appPrincipalId: appIdentity.properties.principalId
    logAnalyticsId: monitoring.outputs.logAnalyticsId
  }
}

// Depends on the modules above through their outputs, so the identity's role
// assignments exist before the app first starts.
module functionApp 'modules/functionapp.bicep' = {
  name: 'switchboard-functionapp'
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    identityId: appIdentity.id
    identityClientId: appIdentity.properties.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    tablesEndpoint: storage.outputs.tableEndpoint
    appInsightsName: monitoring.outputs.appInsightsName
    keyVaultUri: keyVault.outputs.vaultUri
    sealingKeySecretName: sealingKeySecretName
    authClientSecretName: signInConfigured ? entraClientSecretName : ''
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    publicBaseUrl: publicBaseUrl
    autoCloseSchedule: autoCloseSchedule
    distributionSchedule: distributionSchedule
    outboxQueueName: outboxQueueName
    agentOfflineAfterSeconds: agentOfflineAfterSeconds
    autoCloseMinMinutes: autoCloseMinMinutes
    directLineBaseUrl: directLineBaseUrl
    retentionSchedule: retentionSchedule
    templateSyncSchedule: templateSyncSchedule
    retentionMaxDays: retentionMaxDays
    auditRetentionDays: auditRetentionDays
    phoneRegion: phoneRegion
    webPubSubEndpoint: webPubSubEnabled ? 'https://${webPubSub.outputs.hostName}' : ''
    webPubSubHub: webPubSubEnabled ? webPubSubHubName : ''
    webPubSubPrincipalId: webPubSubEnabled ? webPubSub.outputs.principalId : ''
  }
}

var defaultHostUrl = 'https://${functionApp.outputs.defaultHostName}'
var baseUrl = empty(publicBaseUrl) ? defaultHostUrl : publicBaseUrl
var apiUrl = '${baseUrl}/api'

// After the app and its settings (the module waits for functionApp's outputs), so Easy Auth
// starts with its client secret setting in place.
module auth 'modules/auth.bicep' = if (signInConfigured) {
  name: 'switchboard-auth'
  params: {
    functionAppName: functionApp.outputs.name
    clientId: entraClientId
    tenantId: tenant().tenantId
    clientSecretSettingName: 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET'
    excludedPaths: publicPaths
  }
}

// The Web PubSub hub and its event handler, on the app's default host name (not
// publicBaseUrl: a gateway in front need not pass the service's calls through), with the
// token audience App Service Authentication accepts (modules/auth.bicep's first allowed
// audience). The path is not public: Easy Auth validates the service's token.
module realtimeHub 'modules/webpubsub-hub.bicep' = if (webPubSubEnabled) {
  name: 'switchboard-webpubsub-hub'
  params: {
    webPubSubName: webPubSubEnabled ? webPubSub.outputs.name : ''
    hubName: webPubSubHubName
    eventHandlerUrl: '${defaultHostUrl}/api/realtime/events'
    eventHandlerAudience: 'api://${entraClientId}'
  }
}

module communication 'modules/communication.bicep' = if (deployCommunicationServices) {
  name: 'switchboard-communication'
  params: {
    communicationServicesName: names.communicationServices
    systemTopicName: names.systemTopic
    dataLocation: communicationServicesDataLocation
    tags: tags
    storageAccountName: storage.outputs.name
    deadLetterContainerName: storage.outputs.deadLetterContainerName
    eventsEndpointUrl: createAcsSubscription ? '${apiUrl}/acs/${uriComponent(acsAccountId)}/events' : ''
    aadTenantId: eventGridAadTenantId
    aadApplicationIdOrUri: eventGridAadApplicationIdOrUri
    maxDeliveryAttempts: eventGridMaxDeliveryAttempts
    eventTimeToLiveInMinutes: eventGridEventTimeToLiveInMinutes
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'switchboard-alerts'
  params: {
    appInsightsName: monitoring.outputs.appInsightsName
    location: location
    tags: tags
    alertEmail: alertEmail
    eventGridSystemTopicName: deployCommunicationServices ? communication.outputs.systemTopicName : ''
  }
}

@description('Function App name (for az functionapp commands).')
output functionAppName string = functionApp.outputs.name

@description('Base URL providers call; PUBLIC_BASE_URL is set to it.')
output baseUrl string = baseUrl

@description('Default host name of the Function App (https://<name>.azurewebsites.net style).')
output defaultHostUrl string = defaultHostUrl

@description('Whether App Service Authentication with Entra ID is configured (entraClientId was given).')
output signInConfigured bool = signInConfigured

@description('Where agents and admins sign in with Entra ID.')
output signInUrl string = '${baseUrl}/.auth/login/aad'

@description('Web redirect URIs the app registration needs: Easy Auth\'s callback on the base URL and on the default host name (one entry when they are the same).')
output entraRedirectUris array = union(['${baseUrl}/.auth/login/aad/callback'], ['${defaultHostUrl}/.auth/login/aad/callback'])

@description('Key Vault secret with the app registration\'s client secret (the name, not the value).')
output entraClientSecretName string = entraClientSecretName

@description('Paths served without sign-in; everything else needs an Entra sign-in or access token.')
output publicPaths array = publicPaths

@description('Callback and API URL patterns; replace {account_id} with the ID POST /api/admin/accounts returned.')
output callbackUrls object = {
  health: '${apiUrl}/health'
  twilioInbound: '${apiUrl}/twilio/{account_id}/inbound'
  twilioStatus: '${apiUrl}/twilio/{account_id}/status'
  acsEvents: '${apiUrl}/acs/{account_id}/events'
  telesignInbound: '${apiUrl}/telesign/{account_id}/inbound'
  adminAccounts: '${apiUrl}/admin/accounts'
  adminWorkstreams: '${apiUrl}/admin/workstreams'
  conversations: '${apiUrl}/conversations'
}

@description('Key Vault holding the sealing key.')
output keyVaultName string = keyVault.outputs.name

@description('Name of the sealing key secret in that vault.')
output sealingKeySecretName string = sealingKeySecretName

@description('Storage account with the tables, host state and code package.')
output storageAccountName string = storage.outputs.name

@description('Client ID of the app\'s user-assigned identity (not a secret).')
output identityClientId string = appIdentity.properties.clientId

@description('Host name of the Azure Web PubSub resource (WEBPUBSUB_ENDPOINT is https://<it>), or empty when it is not deployed.')
output webPubSubHostName string = webPubSubEnabled ? webPubSub.outputs.hostName : ''

@description('Principal ID of the Web PubSub resource\'s system-assigned identity (WEBPUBSUB_PRINCIPAL_ID), or empty; deploy.sh gives it the app role Switchboard.RealtimeEvents so that it may get a token for the app registration.')
output webPubSubPrincipalId string = webPubSubEnabled ? webPubSub.outputs.principalId : ''

@description('Communication Services resource name, or empty.')
output communicationServicesName string = deployCommunicationServices ? communication.outputs.communicationServicesName : ''

@description('Event Grid system topic of the Communication Services resource, or empty.')
output eventGridSystemTopicName string = deployCommunicationServices ? communication.outputs.systemTopicName : ''

@description('Endpoint the ACS event subscription delivers to, or empty when no subscription was created.')
output acsEventsEndpointUrl string = createAcsSubscription ? '${apiUrl}/acs/${uriComponent(acsAccountId)}/events' : ''
