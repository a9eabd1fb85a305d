// App Service Authentication ("Easy Auth") for the Function App, with the Microsoft Entra
// ID provider. The platform signs people in (browser session cookie from /.auth/login/aad)
// and validates Entra access tokens (scripts); it hands the app the caller in the
// X-MS-CLIENT-PRINCIPAL headers, which it strips from what clients send. Every path not
// excluded answers 401 to a caller that is not signed in, before the app runs.
//
// The app registration (clientId) is created by deploy.sh: Bicep cannot create Entra
// objects without the preview Microsoft Graph extension. See docs/deployment.md.

@description('Name of the Function App these settings belong to.')
param functionAppName string

@description('Application (client) ID of the Entra app registration that signs people in and is the audience of access tokens.')
param clientId string

@description('Entra tenant of that app registration (single tenant: only its users and applications sign in).')
param tenantId string

@description('Name of the app setting holding the client secret (a Key Vault reference), with which Easy Auth redeems sign-in codes.')
param clientSecretSettingName string

@description('Paths served without sign-in (a trailing /* stands for everything below). Everything else needs a signed-in caller.')
param excludedPaths array

@description('How long a browser session lasts before the person signs in again (hh:mm:ss).')
param sessionLifetime string = '08:00:00'

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  // checkov reads every Microsoft.Web/sites/config as siteConfig; this one is authsettingsV2, so the site-level checks below run on the app itself (modules/functionapp.bicep).
  // checkov:skip=CKV_AZURE_13: CKV_AZURE_13 looks for the V1 shape (properties.enabled); authsettingsV2 turns authentication on with properties.platform.enabled, which CKV_AZURE_56 checks and passes.
  // checkov:skip=CKV_AZURE_63: Not siteConfig (see above); requests are traced in Application Insights.
  // checkov:skip=CKV_AZURE_65: Not siteConfig (see above); errors are logged to Application Insights.
  // checkov:skip=CKV_AZURE_66: Not siteConfig (see above); failed requests are traced in Application Insights.
  // checkov:skip=CKV_AZURE_80: Not siteConfig (see above); the app runs Python, not .NET.
  // checkov:skip=CKV_AZURE_88: Not siteConfig (see above); Flex Consumption runs from its blob deployment package, not an Azure Files share.
  // checkov:skip=CKV_AZURE_222: Not siteConfig (see above); public access is justified on the app in modules/functionapp.bicep.
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
      runtimeVersion: '~1'
    }
    globalValidation: {
      requireAuthentication: true
      // An API caller without a token gets a 401, not a login page; the pages send the
      // browser to /.auth/login/aad themselves.
      unauthenticatedClientAction: 'Return401'
      excludedPaths: excludedPaths
    }
    httpSettings: {
      requireHttps: true
      routes: {
        apiPrefix: '/.auth'
      }
      forwardProxy: {
        convention: 'NoProxy'
      }
    }
    login: {
      // Flex Consumption has no file system for a token store, and the app never calls
      // another API with the user's tokens: the session cookie carries the claims.
      tokenStore: {
        enabled: false
      }
      preserveUrlFragmentsForLogins: false
      cookieExpiration: {
        convention: 'FixedTime'
        timeToExpiration: sessionLifetime
      }
      nonce: {
        validateNonce: true
      }
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
          clientId: clientId
          clientSecretSettingName: clientSecretSettingName
        }
        validation: {
          // v2 access tokens carry the client id as audience, v1 tokens the App ID URI.
          allowedAudiences: [
            'api://${clientId}'
            clientId
          ]
        }
      }
    }
  }
}

