// Key Vault holding the secret-sealing key (SWITCHBOARD_SEALING_KEY) and the Entra client
// secret of App Service Authentication (MICROSOFT_PROVIDER_AUTHENTICATION_SECRET). RBAC
// authorization, soft delete and purge protection. The secrets themselves are not created
// here: a Fernet key cannot be generated reliably in Bicep, an Entra client secret comes
// from Microsoft Graph, and a template-owned secret would be overwritten on every redeploy.
// deploy.sh creates each once (see docs/deployment.md).

@description('Key Vault name (3-24 letters, digits and hyphens).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the vault.')
param location string

@description('Tags applied to the vault.')
param tags object = {}

@description('Principal ID of the app\'s user-assigned identity; it gets Key Vault Secrets User to resolve the Key Vault references in its app settings.')
param appPrincipalId string

@description('Object ID of the principal that runs deployments; it gets Key Vault Secrets Officer so deploy.sh can create the sealing key and the Entra client secret, and operators can rotate them. Empty: no assignment.')
param deployerPrincipalId string = ''

@description('Type of deployerPrincipalId.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param deployerPrincipalType string = 'User'

@description('Log Analytics workspace receiving the vault\'s audit log.')
param logAnalyticsId string

var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
var keyVaultSecretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  // checkov:skip=CKV_AZURE_109: The Flex Consumption app (no VNet) resolves its Key Vault reference over the public endpoint, and App Service is not a trusted service for the vault firewall; access is RBAC-only.
  // checkov:skip=CKV_AZURE_189: Same reason as CKV_AZURE_109: public network access is required for the Key Vault reference and for deploy.sh; every data-plane call is Entra + RBAC.
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
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource auditLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logAnalyticsId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

// The vault holds only Switchboard's secrets, so the app's read access is scoped to it.
// (A secret-level scope is impossible here: the secret is created after this deployment.)
resource appSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appPrincipalId, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Switchboard app: resolve the Key Vault references of its app settings (sealing key, Entra client secret).'
  }
}

resource deployerSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, keyVaultSecretsOfficerRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficerRoleId)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
    description: 'Switchboard deployer: create and rotate the sealing key and the Entra client secret.'
  }
}

@description('Key Vault name.')
output name string = vault.name

@description('Key Vault URI, ending with a slash.')
output vaultUri string = vault.properties.vaultUri
