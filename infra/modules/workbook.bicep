// The operators' workbook on the app's Application Insights: the metrics of
// core/telemetry.py (messages, send failures, retries and poison, webhook latency, the
// outbox, the sweep, live push), the 5xx rate, and recent calls by conversation id.

@description('Application Insights component the app reports to.')
param appInsightsName string

@description('Azure region of the workbook.')
param location string

@description('Tags applied to the workbook.')
param tags object = {}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

var charts = [
  {
    title: 'Messages in and out, per provider and channel'
    visualization: 'timechart'
    query: 'customMetrics | where name in ("switchboard.messages.in", "switchboard.messages.out") | summarize messages = sum(valueSum) by bin(timestamp, 5m), series = strcat(replace_string(name, "switchboard.messages.", ""), " ", tostring(customDimensions.provider), " ", tostring(customDimensions.channel))'
  }
  {
    title: 'Send failures, by provider and provider code'
    visualization: 'table'
    query: 'customMetrics | where name == "switchboard.sends.failed" | summarize failures = sum(valueSum) by provider = tostring(customDimensions.provider), code = tostring(customDimensions.code) | order by failures desc'
  }
  {
    title: 'Retries and poison messages'
    visualization: 'timechart'
    query: 'customMetrics | where name in ("switchboard.sends.retried", "switchboard.sends.poisoned") | summarize sends = sum(valueSum) by bin(timestamp, 5m), series = strcat(name, " ", tostring(customDimensions.provider))'
  }
  {
    title: 'Sends in doubt (a try whose answer was lost): found sent, or sent again, per provider'
    visualization: 'table'
    query: 'customMetrics | where name == "switchboard.sends.in_doubt" | summarize tries = sum(valueSum) by provider = tostring(customDimensions.provider), outcome = tostring(customDimensions.outcome) | order by tries desc'
  }
  {
    title: 'Webhook latency (ms), average and slowest, per provider'
    visualization: 'timechart'
    query: 'customMetrics | where name == "switchboard.webhook.duration" | extend provider = tostring(customDimensions.provider) | summarize average = sum(valueSum) / sum(valueCount), slowest = max(valueMax) by bin(timestamp, 5m), provider'
  }
  {
    title: 'Outbox: jobs queued and the oldest waiting (s)'
    visualization: 'timechart'
    query: 'customMetrics | where name in ("switchboard.outbox.depth", "switchboard.outbox.age") | summarize highest = max(valueMax) by bin(timestamp, 5m), name'
  }
  {
    title: 'Auto-close sweep: conversations due and closed'
    visualization: 'timechart'
    query: 'customMetrics | where name in ("switchboard.sweep.due", "switchboard.sweep.closed") | summarize conversations = sum(valueSum) by bin(timestamp, 5m), name'
  }
  {
    title: 'Live updates pushed to the workspaces through Web PubSub, and changes whose push failed'
    visualization: 'timechart'
    query: 'customMetrics | where name in ("switchboard.live.published", "switchboard.live.failed") | summarize updates = sum(valueSum) by bin(timestamp, 5m), name'
  }
  {
    title: 'Requests and 5xx answers'
    visualization: 'timechart'
    query: 'requests | where isnotempty(resultCode) and toint(resultCode) >= 100 | summarize requests = count(), server_errors = countif(toint(resultCode) >= 500) by bin(timestamp, 5m)'
  }
  {
    title: 'Recent calls with their ids (open a row\'s operation for its trace)'
    visualization: 'table'
    query: 'requests | where isnotempty(customDimensions.trigger) | project timestamp, name, resultCode, duration, account_id = tostring(customDimensions.account_id), conversation_id = tostring(customDimensions.conversation_id), message_id = tostring(customDimensions.message_id), provider_message_id = tostring(customDimensions.provider_message_id), operation_Id | order by timestamp desc | take 100'
  }
]

var chartItems = [for chart in charts: {
  type: 3
  name: chart.title
  content: {
    version: 'KqlItem/1.0'
    title: chart.title
    query: chart.query
    size: 0
    timeContext: {
      durationMs: 86400000
    }
    queryType: 0
    resourceType: 'microsoft.insights/components'
    visualization: chart.visualization
  }
}]

var about = {
  type: 1
  name: 'about'
  content: {
    json: '## Switchboard\nWhat the app reports (README: What an operator sees in Application Insights). The alerts watch send failures, outbox age, poison messages, 5xx answers and Event Grid dead-lettering.'
  }
}

var content = {
  version: 'Notebook/1.0'
  items: concat([
    about
  ], chartItems)
  isLocked: false
  fallbackResourceIds: [
    appInsights.id
  ]
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(appInsights.id, 'switchboard-operations')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'Switchboard operations'
    category: 'workbook'
    sourceId: appInsights.id
    serializedData: string(content)
  }
}

@description('Resource ID of the workbook.')
output workbookId string = workbook.id
