// The providers as the admin pages present them: their channels, the credential fields
// each asks for (channels/providers.py checks them), and where each callback URL goes.

export interface CredentialField {
  name: string;
  label: string;
  secret: boolean;
  hint: string;
  optional?: boolean;
}

export interface ProviderInfo {
  label: string;
  channels: string[];
  /** Channels addressed by channel registrations (ACS WhatsApp) instead of numbers. */
  registered: string[];
  credentials: CredentialField[];
  paste: Record<string, string>;
}

export const PROVIDERS: Record<string, ProviderInfo> = {
  twilio: {
    label: "Twilio",
    channels: ["sms", "whatsapp"],
    registered: [],
    credentials: [
      { name: "account_sid", label: "Account SID", secret: false, hint: "AC and 32 hexadecimal characters (Twilio console, Account info)" },
      { name: "auth_token", label: "Auth token", secret: true, hint: "Twilio console, Account info; it also signs Twilio's webhooks" },
    ],
    paste: {
      inbound_url: "Paste in the Twilio console: Phone Numbers > Active numbers > the number > Messaging, " +
        "'A message comes in', Webhook, HTTP POST. For WhatsApp: the sender's (or the sandbox's) incoming-message webhook.",
      status_url: "Nothing to paste: Switchboard sends it to Twilio with every reply.",
    },
  },
  telesign: {
    label: "TeleSign",
    channels: ["sms"],
    registered: [],
    credentials: [
      { name: "customer_id", label: "Customer ID", secret: false, hint: "e.g. FFFFFFFF-EEEE-DDDD-1234-AB1234567890" },
      { name: "api_key", label: "API key", secret: true, hint: "base64, as the TeleSign portal shows it" },
    ],
    paste: {
      inbound_url: "Send to TeleSign support as your Customer ID's callback URL for inbound SMS (MO).",
      status_url: "The same URL: TeleSign sends delivery reports there too.",
    },
  },
  acs: {
    label: "Azure Communication Services",
    channels: ["whatsapp", "sms"],
    registered: ["whatsapp"],
    credentials: [
      { name: "resource_name", label: "Resource name", secret: false, hint: "the Communication Services resource's name" },
      { name: "connection_string", label: "Connection string", secret: true, hint: "endpoint=https://<resource>.communication.azure.com/;accesskey=<key>" },
      { name: "eventgrid_app_id", label: "Event Grid Entra app ID", secret: false, optional: true, hint: "optional: the Entra application Event Grid delivers with (with the tenant ID)" },
      { name: "eventgrid_tenant_id", label: "Event Grid Entra tenant ID", secret: false, optional: true, hint: "optional, with the app ID" },
    ],
    paste: {
      events_url: "Paste in the Azure portal: the Communication Services resource > Events > + Event Subscription, " +
        "endpoint type Web Hook (infra/deploy.sh --acs-account-id creates it for you).",
    },
  },
};

export const CHANNEL_LABELS: Record<string, string> = { sms: "SMS", whatsapp: "WhatsApp" };

export const NUMBER_TYPES: [string, string][] = [["long_code", "Long code"], ["short_code", "Short code"],
  ["toll_free", "Toll free"]];
