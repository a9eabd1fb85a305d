// Flex Consumption plan + the Switchboard Function App (Linux, Python 3.11).
// One user-assigned identity does everything: host storage, the deployment package,
// the tables, the Key Vault reference and Application Insights ingestion.

@description('Function App name; also the first label of its default host name.')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region (must offer the Flex Consumption plan).')
param location string

@description('Tags applied to the plan and the app.')
param tags object = {}

@description('Resource ID of the user-assigned identity.')
param identityId string

@description('Client ID of the user-assigned identity (AZURE_CLIENT_ID for DefaultAzureCredential).')
param identityClientId string

@description('Storage account used for host storage and the deployment package.')
param storageAccountName string

@description('Blob endpoint of that account, ending with a slash.')
param storageBlobEndpoint string

@description('Container holding the deployment package.')
param deploymentContainerName string

@description('Table endpoint for SWITCHBOARD_TABLES_ENDPOINT, without a trailing slash.')
param tablesEndpoint string

@description('Application Insights component the app reports to.')
param appInsightsName string

@description('Key Vault URI (ending with a slash) holding the sealing key.')
param keyVaultUri string

@description('Name of the Key Vault secret with the Fernet sealing key(s).')
param sealingKeySecretName string

@description('Name of the Key Vault secret with the Entra client secret App Service Authentication signs people in with; it becomes the MICROSOFT_PROVIDER_AUTHENTICATION_SECRET setting. Empty: sign-in is not configured, no such setting.')
param authClientSecretName string = ''

@description('Memory per instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound on instances.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('PUBLIC_BASE_URL: https://host (no trailing slash) that providers call, when a custom domain or gateway fronts the app. Empty: the app\'s default host name.')
param publicBaseUrl string = ''

@description('AUTO_CLOSE_SCHEDULE: NCRONTAB schedule of the auto-close timer.')
param autoCloseSchedule string = '0 */5 * * * *'

@description('DISTRIBUTION_SCHEDULE: NCRONTAB schedule of the work distribution timer.')
param distributionSchedule string = '*/10 * * * * *'

@description('OUTBOX_QUEUE: the Storage queue of sends the outbox tries again.')
param outboxQueueName string = 'outbox'

@description('AGENT_OFFLINE_AFTER_SECONDS: an agent whose workspace has been silent this long is offline.')
param agentOfflineAfterSeconds int = 120

@description('AUTO_CLOSE_MIN_MINUTES: inactivity, in minutes, after which a conversation is closed.')
param autoCloseMinMinutes int = 480

@description('DIRECTLINE_BASE_URL: the Direct Line 3.0 endpoint workstreams\' bots are reached at (a regional one, e.g. https://europe.directline.botframework.com, where the bot uses it).')
param directLineBaseUrl string = 'https://directline.botframework.com'
@description('RETENTION_SCHEDULE: NCRONTAB schedule of the customer-data timer.')
param retentionSchedule string = '0 */15 * * * *'

@description('TEMPLATE_SYNC_SCHEDULE: NCRONTAB schedule of the template sync.')
param templateSyncSchedule string = '0 0 */6 * * *'

@description('RETENTION_MAX_DAYS: the longest a closed conversation is kept, in days; 0: as workstreams say.')
param retentionMaxDays int = 0

@description('AUDIT_RETENTION_DAYS: days the audit trail keeps an admin change.')
param auditRetentionDays int = 365

@description('PHONE_REGION: the country (ISO 3166 alpha-2) whose national numbers people type without a country code.')
param phoneRegion string = 'US'

@description('WEBPUBSUB_ENDPOINT: https://<host name> of the Azure Web PubSub resource the app pushes live updates through, with its identity. Empty: no Web PubSub settings; the workspace long-polls.')
param webPubSubEndpoint string = ''

@description('WEBPUBSUB_HUB: the Web PubSub hub the workspaces connect to.')
param webPubSubHub string = ''

@description('WEBPUBSUB_PRINCIPAL_ID: principal ID of the Web PubSub resource\'s system-assigned identity; the event handler accepts calls from it only.')
param webPubSubPrincipalId string = ''

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  // checkov:skip=CKV_AZURE_225: Zone redundancy needs a region with availability zones; this template targets any Flex Consumption region.
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  // checkov:skip=CKV_AZURE_222: Public network access is required: Twilio, TeleSign and Event Grid deliver webhooks from the internet.
  // checkov:skip=CKV_AZURE_17: Twilio, TeleSign and Event Grid present no client certificates; the app checks their signatures and Event Grid's Entra tokens, and people and scripts sign in with Entra ID (modules/auth.bicep).
  // checkov:skip=CKV_AZURE_78: Flex Consumption rejects siteConfig.ftpsState (ARM error 51021); FTP and SCM basic auth are turned off by basicPublishingCredentialsPolicies below.
  // checkov:skip=CKV_AZURE_18: Flex Consumption does not expose siteConfig.http20Enabled; the HTTP version is managed by the platform front end.
  // checkov:skip=CKV_AZURE_67: Same as CKV_AZURE_18 (the Function App variant of the HTTP version check).
  // checkov:skip=CKV_AZURE_212: Flex Consumption scales from zero on demand; always-ready instances are a paid opt-in this webhook traffic does not need.
  // checkov:skip=CKV_AZURE_213: App Service health check evicts instances of always-on plans; Flex instances come and go with demand, and deploy.sh probes /api/health itself.
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
  }
}

// App settings live in their own resource because PUBLIC_BASE_URL needs the app's default
// host name, which exists only once the site does. This resource owns the complete set:
// a redeploy resets any setting changed by hand.
var settings = {
  // Identity-based host storage (no connection string, no key).
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // Application Insights with Entra auth (local auth is off on the component).
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // DefaultAzureCredential in the app picks the user-assigned identity.
  AZURE_CLIENT_ID: identityClientId
  SWITCHBOARD_TABLES_ENDPOINT: tablesEndpoint
  // Versionless reference: the app gets the newest secret version after a restart.
  SWITCHBOARD_SEALING_KEY: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${sealingKeySecretName}/)'
  // Callback URLs and Twilio signature checks are built from it: it must be the URL providers call.
  PUBLIC_BASE_URL: empty(publicBaseUrl) ? 'https://${functionApp.properties.defaultHostName}' : publicBaseUrl
  AUTO_CLOSE_SCHEDULE: autoCloseSchedule
  DISTRIBUTION_SCHEDULE: distributionSchedule
  OUTBOX_QUEUE: outboxQueueName
  AGENT_OFFLINE_AFTER_SECONDS: string(agentOfflineAfterSeconds)
  AUTO_CLOSE_MIN_MINUTES: string(autoCloseMinMinutes)
  DIRECTLINE_BASE_URL: directLineBaseUrl
  RETENTION_SCHEDULE: retentionSchedule
  TEMPLATE_SYNC_SCHEDULE: templateSyncSchedule
  RETENTION_MAX_DAYS: retentionMaxDays == 0 ? '' : string(retentionMaxDays)
  AUDIT_RETENTION_DAYS: string(auditRetentionDays)
  PHONE_REGION: phoneRegion
}

// Easy Auth reads the client secret from the setting its authsettingsV2 names
// (modules/auth.bicep): a Key Vault reference, resolved like the sealing key's.
var authSettings = empty(authClientSecretName) ? {} : {
  MICROSOFT_PROVIDER_AUTHENTICATION_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${authClientSecretName}/)'
}

// Live push through Azure Web PubSub (modules/webpubsub.bicep), only where it is deployed:
// its endpoint (reached with AZURE_CLIENT_ID's identity; there is no access key), the hub,
// and the principal whose token the event handler accepts.
var realtimeSettings = empty(webPubSubEndpoint) ? {} : {
  WEBPUBSUB_ENDPOINT: webPubSubEndpoint
  WEBPUBSUB_HUB: webPubSubHub
  WEBPUBSUB_PRINCIPAL_ID: webPubSubPrincipalId
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  // checkov reads every Microsoft.Web/sites/config as siteConfig; this one is the appsettings dictionary, so its site-level checks do not apply here (they run on functionApp above).
  // checkov:skip=CKV_AZURE_13: Not siteConfig (see above); sign-in is App Service Authentication, its authsettingsV2 in modules/auth.bicep.
  // checkov:skip=CKV_AZURE_63: Not siteConfig (see above); requests are traced in Application Insights.
  // checkov:skip=CKV_AZURE_65: Not siteConfig (see above); errors are logged to Application Insights.
  // checkov:skip=CKV_AZURE_66: Not siteConfig (see above); failed requests are traced in Application Insights.
  // checkov:skip=CKV_AZURE_80: Not siteConfig (see above); the app runs Python, not .NET.
  // checkov:skip=CKV_AZURE_88: Not siteConfig (see above); Flex Consumption runs from its blob deployment package, not an Azure Files share.
  // checkov:skip=CKV_AZURE_222: Not siteConfig (see above); public access is justified on functionApp.
  parent: functionApp
  name: 'appsettings'
  properties: union(settings, authSettings, realtimeSettings)
}

// No FTP, no username/password publishing: code deploys authenticate with Entra ID.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

@description('Function App name.')
output name string = functionApp.name

@description('Default host name of the app (no scheme).')
output defaultHostName string = functionApp.properties.defaultHostName
