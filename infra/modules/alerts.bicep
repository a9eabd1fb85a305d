// Alerts on what the app reports to Application Insights (telemetry/, core/telemetry.py)
// and on Event Grid dead-lettering ACS events. Log alerts query the component's
// customMetrics and requests every 5 minutes over the last 15; each fires once and
// resolves itself. With an e-mail address they notify it through one action group.

@description('Application Insights component the app reports to.')
param appInsightsName string

@description('Azure region of the log alerts and the action group\'s home.')
param location string

@description('Tags applied to every alert resource.')
param tags object = {}

@description('E-mail address the alerts notify; empty: the alerts fire in the portal only.')
param alertEmail string = ''

@description('Event Grid system topic of the ACS events; empty when ACS is not deployed (no dead-letter alert).')
param eventGridSystemTopicName string = ''

@description('Send failures, as a percentage of sends tried in 15 minutes, above which an alert fires (with at least 5 failures).')
@minValue(1)
@maxValue(100)
param sendFailurePercent int = 10

@description('Minutes the oldest due job may wait in the outbox queue before an alert fires.')
@minValue(1)
param outboxAgeMinutes int = 10

@description('Percentage of requests answered 5xx in 15 minutes above which an alert fires (with at least 20 requests).')
@minValue(1)
@maxValue(100)
param serverErrorPercent int = 5

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-${appInsightsName}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'switchboard'
    enabled: true
    emailReceivers: [
      {
        name: 'operators'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var actions = empty(alertEmail) ? [] : [actionGroup.id]

// Each query returns a row only when its condition holds; the rule fires on any row.
var logAlerts = [
  {
    name: 'send-failures'
    severity: 2
    description: 'Sends fail at more than ${sendFailurePercent}% (provider refusals and retries run out), by provider and code in the workbook.'
    query: 'customMetrics | where name in ("switchboard.sends.failed", "switchboard.messages.out") | summarize failed = sumif(valueSum, name == "switchboard.sends.failed"), sent = sumif(valueSum, name == "switchboard.messages.out") | extend percent = 100.0 * failed / max_of(failed + sent, 1.0) | where failed >= 5 and percent > ${sendFailurePercent}'
  }
  {
    name: 'outbox-age'
    severity: 2
    description: 'A due job has waited more than ${outboxAgeMinutes} minutes in the outbox queue: the queue-triggered worker is not keeping up or not running.'
    query: 'customMetrics | where name == "switchboard.outbox.age" | summarize oldest = max(valueMax) | where oldest > ${outboxAgeMinutes * 60}'
  }
  {
    name: 'poison-messages'
    severity: 1
    description: 'Sends ran out of tries and were kept in the outbox-poison queue: their messages are failed.'
    query: 'customMetrics | where name == "switchboard.sends.poisoned" | summarize poisoned = sum(valueSum) | where poisoned > 0'
  }
  {
    name: 'server-errors'
    severity: 1
    description: 'More than ${serverErrorPercent}% of requests answered 5xx (storage outages answer 503; providers retry them).'
    query: 'requests | where isnotempty(resultCode) and toint(resultCode) >= 100 | summarize total = count(), failed = countif(toint(resultCode) >= 500) | where total >= 20 and 100.0 * failed / total > ${serverErrorPercent}'
  }
]

resource rules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for alert in logAlerts: {
  name: '${appInsightsName}-${alert.name}'
  location: location
  tags: tags
  properties: {
    displayName: 'Switchboard: ${alert.name}'
    description: alert.description
    severity: alert.severity
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: alert.query
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: actions
    }
  }
}]

resource deadLettered 'Microsoft.Insights/metricAlerts@2018-03-01' = if (!empty(eventGridSystemTopicName)) {
  name: '${appInsightsName}-eventgrid-dead-lettered'
  location: 'global'
  tags: tags
  properties: {
    description: 'Event Grid dead-lettered ACS events (inbound messages or delivery reports the app never took): they are in the dead-letter container.'
    severity: 1
    enabled: true
    scopes: [
      resourceId('Microsoft.EventGrid/systemTopics', eventGridSystemTopicName)
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'dead-lettered'
          metricNamespace: 'Microsoft.EventGrid/systemTopics'
          metricName: 'DeadLetteredCount'
          timeAggregation: 'Total'
          operator: 'GreaterThan'
          threshold: 0
        }
      ]
    }
    actions: [for id in actions: {
      actionGroupId: id
    }]
  }
}

@description('Names of the log alert rules.')
output logAlertNames array = [for (alert, i) in logAlerts: rules[i].name]
