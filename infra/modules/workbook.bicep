// The operators' workbook on the app's Application Insights: the metrics of
// core/telemetry.py (messages, send failures, retries and poison, webhook latency, the
// outbox, the sweep, live push, read receipts), the 5xx rate, and recent calls by
// conversation id; then
// Conversations, charted from the custom events of closed conversations and late survey
// answers (switchboard.conversation.closed, .rated) over a time range and workstreams
// picked at the top of that section.

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
    title: 'Service levels: warnings and breaches recorded, by target'
    visualization: 'timechart'
    query: 'customMetrics | where name in ("switchboard.sla.warnings", "switchboard.sla.breaches") | extend target = tostring(customDimensions.target) | summarize clocks = sum(valueSum) by bin(timestamp, 5m), strcat(name, " ", target)'
  }
  {
    title: 'Read receipts a provider refused or never answered (the opening answered all the same), by provider and code'
    visualization: 'table'
    query: 'customMetrics | where name == "switchboard.read_receipts.failed" | summarize failures = sum(valueSum) by provider = tostring(customDimensions.provider), code = tostring(customDimensions.code) | order by failures desc'
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

// Conversations: each closed conversation is one switchboard.conversation.closed event
// (customDimensions: ids and measures as strings; booleans "True"/"False"). A close
// reported twice counts once (the latest event of a conversation_id); a survey answer
// given after the close is a switchboard.conversation.rated event, and a conversation's
// latest answer counts. Days and hours are UTC, by the time the conversation closed.
// {Workstream} is a JSON list of the workstreams picked, empty for all.
var conversationCharts = [
  {
    title: 'Conversations closed per day: answered, abandoned, resolved by a bot'
    visualization: 'barchart'
    query: 'let workstreams = dynamic([{Workstream}]); customEvents | where name == "switchboard.conversation.closed" | extend conversation_id = tostring(customDimensions.conversation_id), workstream_id = tostring(customDimensions.workstream_id) | where array_length(workstreams) == 0 or workstream_id in (workstreams) | summarize arg_max(timestamp, *) by conversation_id | summarize conversations = count(), answered = countif(tostring(customDimensions.answered) =~ "true"), abandoned = countif(tostring(customDimensions.abandoned) =~ "true"), bot_resolved = countif(tostring(customDimensions.bot_resolved) =~ "true") by day = bin(timestamp, 1d) | order by day asc'
  }
  {
    title: 'Conversations closed by hour of day (UTC)'
    visualization: 'barchart'
    query: 'let workstreams = dynamic([{Workstream}]); customEvents | where name == "switchboard.conversation.closed" | extend conversation_id = tostring(customDimensions.conversation_id), workstream_id = tostring(customDimensions.workstream_id) | where array_length(workstreams) == 0 or workstream_id in (workstreams) | summarize arg_max(timestamp, *) by conversation_id | summarize conversations = count() by hour_of_day = hourofday(timestamp) | order by hour_of_day asc'
  }
  {
    title: 'Wait for an agent (s, queued to accepted): median and p90 per day'
    visualization: 'timechart'
    query: 'let workstreams = dynamic([{Workstream}]); customEvents | where name == "switchboard.conversation.closed" | extend conversation_id = tostring(customDimensions.conversation_id), workstream_id = tostring(customDimensions.workstream_id) | where array_length(workstreams) == 0 or workstream_id in (workstreams) | summarize arg_max(timestamp, *) by conversation_id | extend wait_seconds = toint(customDimensions.wait_seconds) | where isnotnull(wait_seconds) | summarize wait_median = percentile(wait_seconds, 50), wait_p90 = percentile(wait_seconds, 90) by day = bin(timestamp, 1d) | order by day asc'
  }
  {
    title: 'First response by an agent (s, created to the first agent message): median and p90 per day'
    visualization: 'timechart'
    query: 'let workstreams = dynamic([{Workstream}]); customEvents | where name == "switchboard.conversation.closed" | extend conversation_id = tostring(customDimensions.conversation_id), workstream_id = tostring(customDimensions.workstream_id) | where array_length(workstreams) == 0 or workstream_id in (workstreams) | summarize arg_max(timestamp, *) by conversation_id | extend first_response_seconds = toint(customDimensions.first_response_seconds) | where isnotnull(first_response_seconds) | summarize first_response_median = percentile(first_response_seconds, 50), first_response_p90 = percentile(first_response_seconds, 90) by day = bin(timestamp, 1d) | order by day asc'
  }
  {
    title: 'Abandoned (waited in a queue, closed without an agent\'s message): % of the day\'s conversations'
    visualization: 'timechart'
    query: 'let workstreams = dynamic([{Workstream}]); customEvents | where name == "switchboard.conversation.closed" | extend conversation_id = tostring(customDimensions.conversation_id), workstream_id = tostring(customDimensions.workstream_id) | where array_length(workstreams) == 0 or workstream_id in (workstreams) | summarize arg_max(timestamp, *) by conversation_id | summarize conversations = count(), abandoned = countif(tostring(customDimensions.abandoned) =~ "true") by day = bin(timestamp, 1d) | project day, abandoned_percent = round(100.0 * abandoned / conversations, 1) | order by day asc'
  }
  {
    title: 'Customer satisfaction (1-5): average per day, with answers given after the close'
    visualization: 'timechart'
    query: 'let workstreams = dynamic([{Workstream}]); let closed = customEvents | where name == "switchboard.conversation.closed" | extend conversation_id = tostring(customDimensions.conversation_id), workstream_id = tostring(customDimensions.workstream_id) | where array_length(workstreams) == 0 or workstream_id in (workstreams) | summarize closed_at = max(timestamp) by conversation_id; let answers = customEvents | where name in ("switchboard.conversation.closed", "switchboard.conversation.rated") | extend conversation_id = tostring(customDimensions.conversation_id), csat = todouble(customDimensions.csat) | where isnotnull(csat) | summarize arg_max(timestamp, csat) by conversation_id | project conversation_id, csat; closed | join kind=inner answers on conversation_id | summarize average_csat = round(avg(csat), 2) by day = bin(closed_at, 1d) | order by day asc'
  }
  {
    title: 'Per agent (the agent who held the conversation last): conversations, median handle time (s), average satisfaction'
    visualization: 'table'
    query: 'let workstreams = dynamic([{Workstream}]); let closed = customEvents | where name == "switchboard.conversation.closed" | extend conversation_id = tostring(customDimensions.conversation_id), workstream_id = tostring(customDimensions.workstream_id) | where array_length(workstreams) == 0 or workstream_id in (workstreams) | summarize arg_max(timestamp, *) by conversation_id | extend agent_id = tostring(customDimensions.agent_id), handle_seconds = toint(customDimensions.handle_seconds) | where isnotempty(agent_id) | project conversation_id, agent_id, handle_seconds; let answers = customEvents | where name in ("switchboard.conversation.closed", "switchboard.conversation.rated") | extend conversation_id = tostring(customDimensions.conversation_id), csat = todouble(customDimensions.csat) | where isnotnull(csat) | summarize arg_max(timestamp, csat) by conversation_id | project conversation_id, csat; closed | join kind=leftouter answers on conversation_id | summarize conversations = count(), median_handle_seconds = percentile(handle_seconds, 50), average_csat = round(avg(csat), 2), csat_responses = countif(isnotnull(csat)) by agent_id | order by conversations desc'
  }
]

// The section's parameters: a time range (the charts' time context) and the workstreams
// (their ids, from the events), all of them when none or All is picked.
var conversationParameters = {
  type: 9
  name: 'conversation-parameters'
  content: {
    version: 'KqlParameterItem/1.0'
    parameters: [
      {
        id: guid('switchboard-workbook', 'TimeRange')
        version: 'KqlParameterItem/1.0'
        name: 'TimeRange'
        label: 'Time range'
        type: 4
        isRequired: true
        value: {
          durationMs: 604800000
        }
        typeSettings: {
          selectableValues: [
            {
              durationMs: 86400000
            }
            {
              durationMs: 604800000
            }
            {
              durationMs: 1209600000
            }
            {
              durationMs: 2592000000
            }
            {
              durationMs: 7776000000
            }
          ]
          allowCustom: true
        }
      }
      {
        id: guid('switchboard-workbook', 'Workstream')
        version: 'KqlParameterItem/1.0'
        name: 'Workstream'
        label: 'Workstream'
        type: 2
        multiSelect: true
        quote: '"'
        delimiter: ','
        query: 'customEvents | where name == "switchboard.conversation.closed" | summarize by workstream_id = tostring(customDimensions.workstream_id) | where isnotempty(workstream_id) | order by workstream_id asc'
        typeSettings: {
          additionalResourceOptions: [
            'value::all'
          ]
          selectAllValue: ''
          showDefault: false
        }
        defaultValue: 'value::all'
        value: [
          'value::all'
        ]
        timeContext: {
          durationMs: 604800000
        }
        timeContextFromParameter: 'TimeRange'
        queryType: 0
        resourceType: 'microsoft.insights/components'
      }
    ]
    style: 'pills'
    queryType: 0
    resourceType: 'microsoft.insights/components'
  }
}

var conversationsHeader = {
  type: 1
  name: 'conversations'
  content: {
    json: '## Conversations\nFrom the event each closed conversation sends (`switchboard.conversation.closed`) and survey answers given after the close (`switchboard.conversation.rated`): by the day and hour they closed (UTC). The reports in the app (docs/reports.md) count by the day a conversation was created, in its workstream\'s time zone, with exact percentiles.'
  }
}

var conversationItems = [for chart in conversationCharts: {
  type: 3
  name: chart.title
  content: {
    version: 'KqlItem/1.0'
    title: chart.title
    query: chart.query
    size: 0
    timeContext: {
      durationMs: 604800000
    }
    timeContextFromParameter: 'TimeRange'
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
  ], chartItems, [
    conversationsHeader
    conversationParameters
  ], conversationItems)
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
