#!/usr/bin/env bash
# Stand up Switchboard on Azure, in this order:
#   0. package          web pages built (npm), the app zipped, before anything changes
#   1. infrastructure   az deployment group create  (infra/main.bicep)
#   2. sealing key      created in Key Vault on the first deploy only, never printed
#   3. code             zip deploy with remote build, then wait for /api/health
#   4. ACS events       Event Grid subscription (second deployment with acsAccountId),
#                       only now, because Event Grid validates the endpoint on creation
# Then print the callback URLs. --what-if previews step 1 and changes nothing.
# See docs/deployment.md.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: infra/deploy.sh -g RESOURCE_GROUP -l LOCATION -p PREFIX [options]

Required:
  -g, --resource-group NAME     resource group to deploy into (created if missing)
  -l, --location REGION         Azure region offering Flex Consumption, e.g. westeurope
  -p, --prefix PREFIX           3-10 lowercase letters/digits, starting with a letter

Options:
  --acs                         also create Azure Communication Services and its
                                Event Grid system topic
  --acs-data-location LOCATION  ACS data location (default: "United States")
  --acs-account-id ID           Switchboard account id (from POST /api/admin/accounts)
                                that receives ACS events: creates the Event Grid
                                subscription after the code is live (implies --acs,
                                needs --event-grid-app-id)
  --event-grid-app-id ID_OR_URI Entra application (client) id or Application ID URI
                                Event Grid requests its delivery token for
  --event-grid-tenant-id ID     tenant of that token (default: the current tenant)
  --deployer-object-id ID       object id granted Key Vault Secrets Officer
                                (default: the signed-in user or service principal)
  --skip-code                   deploy infrastructure only, no code package
  --what-if                     run 'az deployment group what-if' and change nothing
  -h, --help                    show this help

Environment: SWITCHBOARD_DEPLOY_RETRIES (default 30) and
SWITCHBOARD_DEPLOY_RETRY_SLEEP (seconds, default 10) bound the waits for role
propagation and for the app to answer /api/health.
EOF
}

die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

usage_error() {
  printf 'error: %s\n\n' "$*" >&2
  usage >&2
  exit 2
}

log() {
  printf '==> %s\n' "$*" >&2
}

# --- arguments -------------------------------------------------------------

RESOURCE_GROUP=""
LOCATION=""
PREFIX=""
DEPLOY_ACS=false
ACS_DATA_LOCATION=""
ACS_ACCOUNT_ID=""
EVENT_GRID_APP_ID=""
EVENT_GRID_TENANT_ID=""
DEPLOYER_OBJECT_ID=""
SKIP_CODE=false
WHAT_IF=false

while (($# > 0)); do
  option=$1
  case $option in
    -h | --help)
      usage
      exit 0
      ;;
    --acs)
      DEPLOY_ACS=true
      shift
      continue
      ;;
    --skip-code)
      SKIP_CODE=true
      shift
      continue
      ;;
    --what-if)
      WHAT_IF=true
      shift
      continue
      ;;
    -g | --resource-group | -l | --location | -p | --prefix | --acs-data-location | \
      --acs-account-id | --event-grid-app-id | --event-grid-tenant-id | --deployer-object-id)
      if (($# < 2)) || [[ -z $2 || $2 == -* ]]; then
        usage_error "$option needs a value"
      fi
      value=$2
      shift 2
      ;;
    -*)
      usage_error "unknown option: $option"
      ;;
    *)
      usage_error "unexpected argument: $option"
      ;;
  esac
  case $option in
    -g | --resource-group) RESOURCE_GROUP=$value ;;
    -l | --location) LOCATION=$value ;;
    -p | --prefix) PREFIX=$value ;;
    --acs-data-location) ACS_DATA_LOCATION=$value ;;
    --acs-account-id) ACS_ACCOUNT_ID=$value ;;
    --event-grid-app-id) EVENT_GRID_APP_ID=$value ;;
    --event-grid-tenant-id) EVENT_GRID_TENANT_ID=$value ;;
    --deployer-object-id) DEPLOYER_OBJECT_ID=$value ;;
  esac
done

guid_re='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'

[[ -n $RESOURCE_GROUP ]] || usage_error "missing --resource-group"
[[ -n $LOCATION ]] || usage_error "missing --location"
[[ -n $PREFIX ]] || usage_error "missing --prefix"
[[ $RESOURCE_GROUP =~ ^[-A-Za-z0-9._()]{1,90}$ && $RESOURCE_GROUP != *. ]] ||
  usage_error "invalid resource group name: $RESOURCE_GROUP"
[[ $LOCATION =~ ^[a-z0-9]+$ ]] ||
  usage_error "invalid location '$LOCATION': use the short name, e.g. westeurope (az account list-locations -o table)"
[[ $PREFIX =~ ^[a-z][a-z0-9]{2,9}$ ]] ||
  usage_error "invalid prefix '$PREFIX': 3-10 lowercase letters or digits, starting with a letter"
if [[ -n $ACS_ACCOUNT_ID ]]; then
  [[ $ACS_ACCOUNT_ID =~ ^[A-Za-z0-9._~-]{1,128}$ ]] ||
    usage_error "invalid --acs-account-id '$ACS_ACCOUNT_ID': letters, digits and . _ ~ - only"
  [[ -n $EVENT_GRID_APP_ID ]] ||
    usage_error "--acs-account-id needs --event-grid-app-id (Event Grid delivers with Entra auth)"
  DEPLOY_ACS=true
fi
if [[ -n $EVENT_GRID_APP_ID && $EVENT_GRID_APP_ID =~ [[:space:]] ]]; then
  usage_error "invalid --event-grid-app-id: no spaces allowed"
fi
if [[ -n $EVENT_GRID_TENANT_ID && ! $EVENT_GRID_TENANT_ID =~ $guid_re ]]; then
  usage_error "invalid --event-grid-tenant-id: expected a GUID"
fi
if [[ -n $DEPLOYER_OBJECT_ID && ! $DEPLOYER_OBJECT_ID =~ $guid_re ]]; then
  usage_error "invalid --deployer-object-id: expected a GUID"
fi

# --- environment -----------------------------------------------------------

script_path=${BASH_SOURCE[0]}
if [[ $script_path == */* ]]; then script_dir=${script_path%/*}; else script_dir=.; fi
REPO_ROOT=$(cd "$script_dir/.." && pwd)
cd "$REPO_ROOT"
readonly TEMPLATE=infra/main.bicep
readonly PARAMETERS_FILE=infra/main.parameters.json
RETRIES=${SWITCHBOARD_DEPLOY_RETRIES:-30}
RETRY_SLEEP=${SWITCHBOARD_DEPLOY_RETRY_SLEEP:-10}

command -v az >/dev/null 2>&1 ||
  die "Azure CLI ('az') not found on PATH. Install it (https://learn.microsoft.com/cli/azure/install-azure-cli), run 'az login', then retry."
command -v python3 >/dev/null 2>&1 ||
  die "python3 not found on PATH: it is needed to read az output and to package the app."
if [[ $SKIP_CODE != true && $WHAT_IF != true ]]; then
  command -v npm >/dev/null 2>&1 ||
    die "npm not found on PATH: it builds the web pages (web/dist) that ship with the code. Install Node.js 20 with npm, or deploy with --skip-code."
fi
[[ -f $TEMPLATE && -f $PARAMETERS_FILE ]] || die "$TEMPLATE or $PARAMETERS_FILE missing under $REPO_ROOT"

# Print the value at a dotted path of a JSON document ("" when absent).
json_get() {
  python3 -c '
import json, sys
value = json.loads(sys.argv[1] or "null")
for key in sys.argv[2].split("."):
    value = value.get(key) if isinstance(value, dict) else None
if value is None:
    value = ""
print(value if isinstance(value, str) else json.dumps(value))
' "$1" "$2"
}

if ! account_json=$(az account show --output json 2>/dev/null); then
  die "Azure CLI is not logged in ('az account show' failed). Run 'az login' (and 'az account set --subscription <id>'), then retry."
fi
log "Subscription: $(json_get "$account_json" name) ($(json_get "$account_json" id)), tenant $(json_get "$account_json" tenantId)"

login_type=$(json_get "$account_json" user.type)
if [[ $login_type == user ]]; then DEPLOYER_TYPE=User; else DEPLOYER_TYPE=ServicePrincipal; fi
if [[ -z $DEPLOYER_OBJECT_ID ]]; then
  if [[ $login_type == user ]]; then
    DEPLOYER_OBJECT_ID=$(az ad signed-in-user show --query id --output tsv) ||
      die "cannot read your object id from Microsoft Entra ID; pass --deployer-object-id"
  else
    DEPLOYER_OBJECT_ID=$(az ad sp show --id "$(json_get "$account_json" user.name)" --query id --output tsv) ||
      die "cannot resolve the service principal's object id; pass --deployer-object-id"
  fi
fi
[[ $DEPLOYER_OBJECT_ID =~ $guid_re ]] || die "unexpected deployer object id: '$DEPLOYER_OBJECT_ID'"

parameters=(
  --parameters "$PARAMETERS_FILE"
  --parameters "namePrefix=$PREFIX" "location=$LOCATION"
  "deployerPrincipalId=$DEPLOYER_OBJECT_ID" "deployerPrincipalType=$DEPLOYER_TYPE"
  "deployCommunicationServices=$DEPLOY_ACS"
)
[[ -z $ACS_DATA_LOCATION ]] || parameters+=("communicationServicesDataLocation=$ACS_DATA_LOCATION")
[[ -z $EVENT_GRID_APP_ID ]] || parameters+=("eventGridAadApplicationIdOrUri=$EVENT_GRID_APP_ID")
[[ -z $EVENT_GRID_TENANT_ID ]] || parameters+=("eventGridAadTenantId=$EVENT_GRID_TENANT_ID")

stamp=$(printf '%(%Y%m%d%H%M%S)T' -1)

# --- what-if ---------------------------------------------------------------

if [[ $WHAT_IF == true ]]; then
  if [[ $(az group exists --name "$RESOURCE_GROUP") != true ]]; then
    die "resource group '$RESOURCE_GROUP' does not exist, so there is nothing to compare against. Run without --what-if, or create it first: az group create --name $RESOURCE_GROUP --location $LOCATION"
  fi
  what_if_parameters=("${parameters[@]}")
  [[ -z $ACS_ACCOUNT_ID ]] || what_if_parameters+=(--parameters "acsAccountId=$ACS_ACCOUNT_ID")
  log "What-if of $TEMPLATE in $RESOURCE_GROUP (nothing is changed)"
  az deployment group what-if --resource-group "$RESOURCE_GROUP" --name "switchboard-whatif-$stamp" \
    --template-file "$TEMPLATE" "${what_if_parameters[@]}"
  exit 0
fi

WORK_DIR=$(mktemp -d)
trap 'rm -rf "$WORK_DIR"' EXIT

# --- 0. package ------------------------------------------------------------

# First, so that a failing build leaves Azure as it was. The pages the app serves are
# built, not committed: npm installs only what ships (--omit=dev) and runs no package's
# install script.
package="$WORK_DIR/switchboard.zip"
if [[ $SKIP_CODE != true ]]; then
  log "Building the web pages (npm ci --omit=dev, npm run build)"
  npm ci --omit=dev --ignore-scripts --no-audit --no-fund >&2 ||
    die "npm ci failed (see above): the web pages cannot be built"
  npm run build >&2 || die "npm run build failed (see above): nothing was deployed"
  log "Packaging the app"
  python3 infra/package_app.py --output "$package"
fi

# --- 1. infrastructure -----------------------------------------------------

log "Resource group $RESOURCE_GROUP in $LOCATION"
az group create --name "$RESOURCE_GROUP" --location "$LOCATION" --output none

log "Deploying infrastructure (deployment switchboard-$stamp) ..."
outputs=$(az deployment group create --resource-group "$RESOURCE_GROUP" --name "switchboard-$stamp" \
  --template-file "$TEMPLATE" "${parameters[@]}" --query properties.outputs --output json) ||
  die "infrastructure deployment failed (see the error above)"

output() {
  json_get "$outputs" "$1.value"
}
APP_NAME=$(output functionAppName)
BASE_URL=$(output baseUrl)
KEY_VAULT=$(output keyVaultName)
SECRET_NAME=$(output sealingKeySecretName)
CALLBACKS=$(output callbackUrls)
[[ -n $APP_NAME && -n $BASE_URL && -n $KEY_VAULT && -n $SECRET_NAME ]] ||
  die "the deployment returned incomplete outputs: $outputs"
callback() {
  json_get "$CALLBACKS" "$1"
}

# --- 2. sealing key --------------------------------------------------------

# Runs an az command that must not print anything; retries while it fails with something
# other than the error in $1 (typically: the Key Vault role assignment has not propagated).
# Returns 0 on success, 3 when the command failed with $1.
az_with_retry() {
  local expected_error=$1 attempt err
  shift
  for ((attempt = 1; ; attempt++)); do
    if err=$("$@" 2>&1 >/dev/null); then
      return 0
    fi
    if [[ -n $expected_error && $err == *"$expected_error"* ]]; then
      return 3
    fi
    if ((attempt >= RETRIES)); then
      printf '%s\n' "$err" >&2
      return 1
    fi
    log "Key Vault not reachable yet (role assignments take a few minutes to propagate); retry $attempt/$RETRIES in ${RETRY_SLEEP}s"
    sleep "$RETRY_SLEEP"
  done
}

KEY_CREATED=false
status=0
az_with_retry SecretNotFound az keyvault secret show --vault-name "$KEY_VAULT" --name "$SECRET_NAME" \
  --query id --output tsv || status=$?
case $status in
  0)
    log "Sealing key $SECRET_NAME already in $KEY_VAULT: left untouched"
    ;;
  3)
    log "Creating the sealing key $SECRET_NAME in $KEY_VAULT (first deploy)"
    key_file="$WORK_DIR/sealing-key"
    (
      umask 077
      python3 -c 'import base64, os, sys; sys.stdout.write(base64.urlsafe_b64encode(os.urandom(32)).decode())' >"$key_file"
    )
    az_with_retry "" az keyvault secret set --vault-name "$KEY_VAULT" --name "$SECRET_NAME" \
      --file "$key_file" --encoding utf-8 \
      --content-type "Fernet keys, comma-separated; the first one seals" --query id --output tsv ||
      die "could not store the sealing key in $KEY_VAULT (if the secret was deleted, recover it: az keyvault secret recover --vault-name $KEY_VAULT --name $SECRET_NAME)"
    rm -f "$key_file"
    KEY_CREATED=true
    ;;
  *)
    die "cannot read $SECRET_NAME in $KEY_VAULT; does $DEPLOYER_OBJECT_ID have Key Vault Secrets Officer on it?"
    ;;
esac

# --- 3. code ---------------------------------------------------------------

wait_for_health() {
  local url="$BASE_URL/api/health" attempt
  for ((attempt = 1; attempt <= RETRIES; attempt++)); do
    if az rest --method get --url "$url" --skip-authorization-header --output none >/dev/null 2>&1; then
      log "$url answers"
      return 0
    fi
    log "Waiting for $url ($attempt/$RETRIES)"
    sleep "$RETRY_SLEEP"
  done
  return 1
}

if [[ $SKIP_CODE == true ]]; then
  log "--skip-code: code package not deployed"
  if [[ $KEY_CREATED == true ]]; then
    # Key Vault references are resolved when the app starts: pick up the new secret.
    az functionapp restart --resource-group "$RESOURCE_GROUP" --name "$APP_NAME" --output none
  fi
else
  if [[ $KEY_CREATED == true ]]; then
    # Key Vault references are resolved when the app starts: pick up the new secret.
    az functionapp restart --resource-group "$RESOURCE_GROUP" --name "$APP_NAME" --output none
  fi
  log "Deploying the code to $APP_NAME (remote build) ..."
  az functionapp deployment source config-zip --resource-group "$RESOURCE_GROUP" --name "$APP_NAME" \
    --src "$package" --build-remote true --output none
fi

# Cold start on Flex Consumption: give the app time to answer before anything relies on it.
healthy=unchecked
if [[ $SKIP_CODE != true || -n $ACS_ACCOUNT_ID ]]; then
  healthy=true
  wait_for_health || healthy=false
fi

# --- 4. ACS event subscription ---------------------------------------------

if [[ -n $ACS_ACCOUNT_ID ]]; then
  [[ $healthy == true ]] ||
    die "$BASE_URL/api/health does not answer, so Event Grid's validation handshake would fail: not creating the ACS event subscription. Check the app (Application Insights, 'az functionapp log deployment show'), then rerun."
  log "Creating the ACS Event Grid subscription for account $ACS_ACCOUNT_ID (deployment switchboard-acs-$stamp) ..."
  acs_outputs=$(az deployment group create --resource-group "$RESOURCE_GROUP" --name "switchboard-acs-$stamp" \
    --template-file "$TEMPLATE" "${parameters[@]}" --parameters "acsAccountId=$ACS_ACCOUNT_ID" \
    --query properties.outputs --output json) ||
    die "the Event Grid subscription deployment failed (see the error above)"
  ACS_ENDPOINT=$(json_get "$acs_outputs" acsEventsEndpointUrl.value)
elif [[ $healthy == false ]]; then
  log "warning: $BASE_URL/api/health did not answer yet; check the app before wiring providers"
fi

# --- summary ---------------------------------------------------------------

cat <<EOF

Switchboard is deployed.
  Function App:  $APP_NAME (resource group $RESOURCE_GROUP)
  Base URL:      $BASE_URL
  Health:        $(callback health)

Callback URLs (replace {account_id} with the id POST /api/admin/accounts returns):
  Twilio "A message comes in" (SMS and WhatsApp): $(callback twilioInbound)
  Twilio status callback (Switchboard sends it with each message): $(callback twilioStatus)
  ACS Event Grid webhook:                         $(callback acsEvents)
  TeleSign inbound messages and delivery reports: $(callback telesignInbound)
EOF
if [[ -n $ACS_ACCOUNT_ID ]]; then
  printf '  ACS event subscription created, delivering to: %s\n' "${ACS_ENDPOINT:-?}"
fi
cat <<EOF

Admin and agent API (header x-functions-key: <function key>):
  $(callback adminAccounts)
  $(callback adminWorkstreams)
  $(callback conversations)

Get the default function key (a secret: do not paste it into tickets or logs):
  az functionapp keys list --resource-group $RESOURCE_GROUP --name $APP_NAME --query functionKeys.default --output tsv
EOF
