#!/usr/bin/env bash
# Stand up Switchboard on Azure, in this order:
#   0. package          web pages built (npm), the app zipped, before anything changes
#   1. sign-in          Entra app registration (app roles, App ID URI) and its service
#                       principal, created or reused; it needs no Azure resource yet
#   2. infrastructure   az deployment group create  (infra/main.bicep), with App Service
#                       Authentication for that registration and Azure Web PubSub
#   3. secrets          the registration's redirect URIs and Web PubSub's app role; the
#                       sealing key and the Entra client secret, created in Key Vault on
#                       the first deploy only, never printed
#   4. code             zip deploy with remote build, wait for /api/health, then check
#                       that the platform refuses callers who are not signed in
#   5. ACS events       Event Grid subscription (second deployment with acsAccountId),
#                       only now, because Event Grid validates the endpoint on creation
# Then print the callback URLs and how to give people their roles. --what-if previews
# step 2 and changes nothing. See docs/deployment.md.
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
  --no-auth                     leave out sign-in: no Entra app registration, no App
                                Service Authentication (for a tenant where you may not
                                register applications). Nobody can sign in then: the
                                app refuses every agent and admin route (401, fail
                                closed); webhooks, health and the pages still work
  --skip-code                   infrastructure, app registration and secrets only: no
                                code package, no sign-in check
  --what-if                     run 'az deployment group what-if' and change nothing
  -h, --help                    show this help

Environment: SWITCHBOARD_DEPLOY_RETRIES (default 30) and
SWITCHBOARD_DEPLOY_RETRY_SLEEP (seconds, default 10) bound the waits for role and
directory propagation, for the app to answer /api/health and for sign-in to be
enforced.
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
SIGN_IN=true

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
    --no-auth)
      SIGN_IN=false
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
readonly APP_ROLES_FILE=infra/app-roles.json
# One registration per resource group and prefix, found again by this name on every run.
readonly ENTRA_APP_NAME="switchboard-$PREFIX-$RESOURCE_GROUP"
RETRIES=${SWITCHBOARD_DEPLOY_RETRIES:-30}
RETRY_SLEEP=${SWITCHBOARD_DEPLOY_RETRY_SLEEP:-10}

command -v az >/dev/null 2>&1 ||
  die "Azure CLI ('az') not found on PATH. Install it (https://learn.microsoft.com/cli/azure/install-azure-cli), run 'az login', then retry."
command -v python3 >/dev/null 2>&1 ||
  die "python3 not found on PATH: it is needed to read az output and to package the app."
if [[ $SKIP_CODE != true && $WHAT_IF != true ]]; then
  command -v npm >/dev/null 2>&1 ||
    die "npm not found on PATH: it builds the web pages (web/dist) that ship with the code. Install Node.js 20 with npm, or deploy with --skip-code."
  command -v curl >/dev/null 2>&1 ||
    die "curl not found on PATH: it checks, once the code is live, that the app refuses callers who are not signed in. Install curl, or deploy with --skip-code."
fi
[[ -f $TEMPLATE && -f $PARAMETERS_FILE && -f $APP_ROLES_FILE ]] ||
  die "$TEMPLATE, $PARAMETERS_FILE or $APP_ROLES_FILE missing under $REPO_ROOT"

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

# Print each item of a JSON array on a line of its own.
json_lines() {
  python3 -c 'import json, sys; print("\n".join(map(str, json.loads(sys.argv[1] or "[]"))))' "$1"
}

if ! account_json=$(az account show --output json 2>/dev/null); then
  die "Azure CLI is not logged in ('az account show' failed). Run 'az login' (and 'az account set --subscription <id>'), then retry."
fi
TENANT_ID=$(json_get "$account_json" tenantId)
log "Subscription: $(json_get "$account_json" name) ($(json_get "$account_json" id)), tenant $TENANT_ID"

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

# --- waiting for propagation -------------------------------------------------

# Runs an az command that must not print anything; retries while it fails with something
# other than the error in $1 (typically: a role assignment or a new directory object has
# not propagated yet; $2 says what is awaited). Returns 0 on success, 3 when the command
# failed with $1.
az_with_retry() {
  local expected_error=$1 awaited=$2 attempt err
  shift 2
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
    log "$awaited not ready yet (new roles and directory objects take a few minutes to propagate); retry $attempt/$RETRIES in ${RETRY_SLEEP}s"
    sleep "$RETRY_SLEEP"
  done
}

# Prints what "$@" prints once that is not empty, retrying meanwhile (a directory object
# just created is not found everywhere at once). Returns 1 when it never is.
first_output() {
  local attempt out
  for ((attempt = 1; attempt <= RETRIES; attempt++)); do
    if out=$("$@") && [[ -n $out ]]; then
      printf '%s' "$out"
      return 0
    fi
    sleep "$RETRY_SLEEP"
  done
  return 1
}

# --- Entra ID: the app registration people sign in with --------------------

# The application id of the registration named $ENTRA_APP_NAME, or nothing. An exact
# match: `az ad app list --display-name` would also find names that only start with it.
find_entra_app() {
  local ids
  ids=$(az ad app list --filter "displayName eq '$ENTRA_APP_NAME'" --query "[].appId" --output tsv) ||
    die "cannot list the app registrations of the tenant (az ad app list); without directory access, deploy with --no-auth"
  if [[ $ids == *$'\n'* ]]; then
    die "several app registrations are named $ENTRA_APP_NAME: delete all but one (az ad app delete --id <appId>), then rerun"
  fi
  printf '%s' "$ids"
}

service_principal_of() {
  az ad sp list --filter "appId eq '$1'" --query "[].id" --output tsv
}

# Creates the registration on the first run and brings it to the same state on every run:
# single tenant, the app roles of $APP_ROLES_FILE (fixed ids, so nothing is duplicated),
# App ID URI api://<appId>, ID tokens for Easy Auth's sign-in, v2 access tokens (their
# audience is the client id). Sets ENTRA_APP_ID.
ensure_entra_app() {
  ENTRA_APP_ID=$(find_entra_app)
  if [[ -z $ENTRA_APP_ID ]]; then
    log "Creating the Entra app registration $ENTRA_APP_NAME (single tenant)"
    ENTRA_APP_ID=$(az ad app create --display-name "$ENTRA_APP_NAME" --sign-in-audience AzureADMyOrg \
      --query appId --output tsv) ||
      die "could not create the app registration $ENTRA_APP_NAME: registering applications needs the right to (Application Developer, or a tenant that lets users register apps). Ask an administrator, or deploy with --no-auth"
  else
    log "Reusing the Entra app registration $ENTRA_APP_NAME ($ENTRA_APP_ID)"
  fi
  [[ $ENTRA_APP_ID =~ $guid_re ]] || die "unexpected application id from Microsoft Entra ID: '$ENTRA_APP_ID'"
  az_with_retry "Insufficient privileges" "The app registration" az ad app update --id "$ENTRA_APP_ID" \
    --sign-in-audience AzureADMyOrg --identifier-uris "api://$ENTRA_APP_ID" --app-roles "@$APP_ROLES_FILE" \
    --enable-id-token-issuance true --set api.requestedAccessTokenVersion=2 ||
    die "could not configure the app registration $ENTRA_APP_NAME ($ENTRA_APP_ID): only its owners (or an application administrator) may; ask one to add you (az ad app owner add --id $ENTRA_APP_ID --owner-object-id $DEPLOYER_OBJECT_ID)"
}

# The service principal (enterprise application) through which people and applications
# are given the roles; only those given one may sign in or get a token, when the deployer
# may require that (ASSIGNMENT_REQUIRED). Sets ENTRA_SP_ID.
ensure_service_principal() {
  local status=0
  ENTRA_SP_ID=$(service_principal_of "$ENTRA_APP_ID") ||
    die "cannot read the service principal of $ENTRA_APP_NAME (az ad sp list)"
  if [[ -z $ENTRA_SP_ID ]]; then
    log "Creating the service principal of $ENTRA_APP_NAME"
    az_with_retry "" "The app registration" az ad sp create --id "$ENTRA_APP_ID" ||
      die "could not create the service principal of $ENTRA_APP_NAME ($ENTRA_APP_ID)"
    ENTRA_SP_ID=$(first_output service_principal_of "$ENTRA_APP_ID") ||
      die "the service principal of $ENTRA_APP_NAME was created but cannot be found; rerun in a few minutes"
  else
    log "Reusing its service principal $ENTRA_SP_ID"
  fi
  [[ $ENTRA_SP_ID =~ $guid_re ]] || die "unexpected service principal id from Microsoft Entra ID: '$ENTRA_SP_ID'"
  az_with_retry "Insufficient privileges" "The service principal" az ad sp update --id "$ENTRA_SP_ID" \
    --set appRoleAssignmentRequired=true || status=$?
  case $status in
    0) ASSIGNMENT_REQUIRED=true ;;
    3)
      # Not fatal: a signed-in person without a role can only ask who they are (GET /api/me).
      ASSIGNMENT_REQUIRED=false
      log "warning: you may not change the service principal $ENTRA_SP_ID, so it does not require role assignment: anyone in the tenant can sign in, though without a role they can do nothing but GET /api/me. An administrator or an owner of the enterprise application can require it: az ad sp update --id $ENTRA_SP_ID --set appRoleAssignmentRequired=true"
      ;;
    *) die "could not require role assignment on the service principal $ENTRA_SP_ID (see the error above)" ;;
  esac
}

# --- what-if ---------------------------------------------------------------

if [[ $WHAT_IF == true ]]; then
  if [[ $(az group exists --name "$RESOURCE_GROUP") != true ]]; then
    die "resource group '$RESOURCE_GROUP' does not exist, so there is nothing to compare against. Run without --what-if, or create it first: az group create --name $RESOURCE_GROUP --location $LOCATION"
  fi
  what_if_parameters=("${parameters[@]}")
  if [[ $SIGN_IN == true ]]; then
    # Looked up, never created: a preview changes nothing, in Azure or in the directory.
    ENTRA_APP_ID=$(find_entra_app)
    if [[ -n $ENTRA_APP_ID ]]; then
      what_if_parameters+=("entraClientId=$ENTRA_APP_ID")
    else
      log "No app registration $ENTRA_APP_NAME yet: a deploy creates it; this preview leaves App Service Authentication out"
    fi
  fi
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

# --- 1. sign-in --------------------------------------------------------------

ENTRA_APP_ID=""
ENTRA_SP_ID=""
ASSIGNMENT_REQUIRED=false
if [[ $SIGN_IN == true ]]; then
  ensure_entra_app
  ensure_service_principal
  parameters+=("entraClientId=$ENTRA_APP_ID")
else
  log "--no-auth: no app registration, no App Service Authentication; the app will refuse every agent and admin route"
fi

# --- 2. infrastructure -----------------------------------------------------

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

# --- 3. redirect URIs and secrets -------------------------------------------

# Easy Auth's callback on the base URL and, when a custom PUBLIC_BASE_URL differs, on the
# default host name too. The list is set whole: it belongs to this script.
set_redirect_uris() {
  local uris=()
  mapfile -t uris < <(json_lines "$(output entraRedirectUris)")
  ((${#uris[@]} > 0)) || die "the deployment returned no redirect URI: $outputs"
  log "Redirect URIs of $ENTRA_APP_NAME: ${uris[*]}"
  az_with_retry "" "The app registration" az ad app update --id "$ENTRA_APP_ID" --web-redirect-uris "${uris[@]}" ||
    die "could not set the redirect URIs of $ENTRA_APP_NAME ($ENTRA_APP_ID)"
}

# Creates Key Vault secret $1 (content type $2) from what "${@:3}" writes on stdout, unless
# the secret exists: through a file only this user may read, in the script's own temporary
# directory, never on a command line or in a log. Returns 0 when it created the secret, 1
# when the secret was there and is left untouched.
create_secret_once() {
  local name=$1 content_type=$2 status=0 file
  shift 2
  az_with_retry SecretNotFound "Key Vault" az keyvault secret show --vault-name "$KEY_VAULT" --name "$name" \
    --query id --output tsv || status=$?
  case $status in
    0)
      log "$name already in $KEY_VAULT: left untouched"
      return 1
      ;;
    3) ;;
    *) die "cannot read $name in $KEY_VAULT; does $DEPLOYER_OBJECT_ID have Key Vault Secrets Officer on it?" ;;
  esac
  log "Creating $name in $KEY_VAULT (first deploy)"
  file="$WORK_DIR/$name"
  (
    umask 077
    "$@" >"$file"
  ) || die "could not generate $name (see the error above)"
  az_with_retry "" "Key Vault" az keyvault secret set --vault-name "$KEY_VAULT" --name "$name" \
    --file "$file" --encoding utf-8 --content-type "$content_type" --query id --output tsv ||
    die "could not store $name in $KEY_VAULT (if the secret was deleted, recover it: az keyvault secret recover --vault-name $KEY_VAULT --name $name)"
  rm -f "$file"
}

new_sealing_key() {
  python3 -c 'import base64, os, sys; sys.stdout.write(base64.urlsafe_b64encode(os.urandom(32)).decode())'
}

# A new client secret of the app registration, added beside any it has (--append), written
# on stdout without a newline; az hands it to nobody else.
new_entra_client_secret() {
  local secret
  secret=$(az ad app credential reset --id "$ENTRA_APP_ID" --append --years 1 \
    --display-name "App Service Authentication of $APP_NAME" --query password --output tsv) || return 1
  printf '%s' "$secret"
}

# The app role Azure Web PubSub's identity holds on the registration ($APP_ROLES_FILE).
readonly REALTIME_APP_ROLE=Switchboard.RealtimeEvents

# Gives principal $1, the system-assigned identity of the Web PubSub resource, the app role
# $REALTIME_APP_ROLE on the registration's service principal. The service calls the app's
# event handler with a token of that identity for the registration, and Entra issues none
# (AADSTS501051) to an identity without a role while the service principal requires
# assignment. The role grants nothing in the app. Once: later runs find it exists. Not
# fatal: without it the app only misses the workspaces' connected and disconnected events.
grant_realtime_role() {
  local principal=$1 role_id body attempt err
  role_id=$(python3 -c '
import json, sys
print(next(r["id"] for r in json.load(open(sys.argv[1])) if r["value"] == sys.argv[2]))
' "$APP_ROLES_FILE" "$REALTIME_APP_ROLE") || die "$APP_ROLES_FILE defines no $REALTIME_APP_ROLE role"
  body=$(printf '{"principalId": "%s", "resourceId": "%s", "appRoleId": "%s"}' "$principal" "$ENTRA_SP_ID" "$role_id")
  for ((attempt = 1; ; attempt++)); do
    if err=$(az rest --method post --url "https://graph.microsoft.com/v1.0/servicePrincipals/$ENTRA_SP_ID/appRoleAssignedTo" \
      --body "$body" --output none 2>&1 >/dev/null); then
      log "Web PubSub's identity $principal now holds $REALTIME_APP_ROLE on $ENTRA_APP_NAME"
      return 0
    fi
    case $err in
      *"already exists"*)
        log "Web PubSub's identity $principal holds $REALTIME_APP_ROLE on $ENTRA_APP_NAME"
        return 0
        ;;
      # A new identity takes a few minutes to reach every directory replica.
      *"does not exist"* | *Request_ResourceNotFound*)
        if ((attempt < RETRIES)); then
          log "Web PubSub's identity $principal not in the directory yet; retry $attempt/$RETRIES in ${RETRY_SLEEP}s"
          sleep "$RETRY_SLEEP"
          continue
        fi
        ;;
    esac
    printf '%s\n' "$err" >&2
    break
  done
  log "warning: could not give Web PubSub's identity $principal the app role $REALTIME_APP_ROLE on $ENTRA_APP_NAME. While the registration requires role assignment, Web PubSub gets no token for the app's event handler, and the app does not hear when workspaces connect and disconnect. An administrator or an owner of the enterprise application can: az rest --method post --url https://graph.microsoft.com/v1.0/servicePrincipals/$ENTRA_SP_ID/appRoleAssignedTo --body '$body'"
}

[[ $SIGN_IN != true ]] || set_redirect_uris
WEBPUBSUB_HOST=$(output webPubSubHostName)
WEBPUBSUB_PRINCIPAL_ID=$(output webPubSubPrincipalId)
if [[ $SIGN_IN == true && -n $WEBPUBSUB_PRINCIPAL_ID ]]; then
  [[ $WEBPUBSUB_PRINCIPAL_ID =~ $guid_re ]] ||
    die "unexpected Web PubSub principal id in the deployment outputs: '$WEBPUBSUB_PRINCIPAL_ID'"
  grant_realtime_role "$WEBPUBSUB_PRINCIPAL_ID"
fi

SECRETS_CREATED=false
if create_secret_once "$SECRET_NAME" "Fernet keys, comma-separated; the first one seals" new_sealing_key; then
  SECRETS_CREATED=true
fi
if [[ $SIGN_IN == true ]]; then
  ENTRA_SECRET_NAME=$(output entraClientSecretName)
  [[ -n $ENTRA_SECRET_NAME ]] || die "the deployment returned no entraClientSecretName: $outputs"
  if create_secret_once "$ENTRA_SECRET_NAME" "Entra ID client secret of $ENTRA_APP_NAME ($ENTRA_APP_ID)" \
    new_entra_client_secret; then
    SECRETS_CREATED=true
  fi
fi
if [[ $SECRETS_CREATED == true ]]; then
  # Key Vault references are resolved when the app starts: pick up the new secrets.
  az functionapp restart --resource-group "$RESOURCE_GROUP" --name "$APP_NAME" --output none
fi

# --- 4. code ---------------------------------------------------------------

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
else
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

# --- 4b. is sign-in enforced? ------------------------------------------------

# The app trusts the principal App Service Authentication puts in front of it. Whether
# the platform really runs Easy Auth (on Flex Consumption it was once documented not to
# block anyone) is checked here, from outside, rather than assumed.

PROBE_BODY=""

# GET $1 (further curl arguments after it), no credentials; prints the status code, "000"
# when nothing answered, and keeps the body in $PROBE_BODY.
http_status() {
  local url=$1 status
  shift
  status=$(curl --silent --max-time 30 --output "$PROBE_BODY" --write-out '%{http_code}' "$@" "$url") || true
  printf '%s' "${status:-000}"
}

# The code of the app's own JSON error in $PROBE_BODY ({"error": {"code": ...}}), or
# nothing when the answer is not the app's (App Service Authentication answered).
app_error_code() {
  python3 -c '
import json, sys
try:
    print(json.load(open(sys.argv[1]))["error"]["code"])
except Exception:
    pass
' "$PROBE_BODY"
}

# A principal header as Easy Auth would write it, claiming Switchboard.Admin, with no
# sign-in behind it. The platform must drop it or refuse the request.
forged_principal() {
  python3 -c '
import base64, json
claims = [
    {"typ": "http://schemas.microsoft.com/identity/claims/objectidentifier", "val": "00000000-0000-4000-8000-00000000f0f0"},
    {"typ": "name", "val": "deploy.sh forged-principal probe"},
    {"typ": "roles", "val": "Switchboard.Admin"},
]
payload = {"auth_typ": "aad", "claims": claims, "name_typ": "name", "role_typ": "roles"}
print(base64.b64encode(json.dumps(payload).encode()).decode())'
}

# One round of probes; fills FINDINGS (empty: all is well) and sets FORGERY_OPEN when a
# caller who is not signed in got an answer only a signed-in one should.
probe_sign_in() {
  local status code
  FINDINGS=()
  FORGERY_OPEN=false
  status=$(http_status "$BASE_URL/api/health")
  if [[ $status == 401 || ($healthy == true && $status != 200) ]]; then
    FINDINGS+=("GET /api/health answered $status, not 200: the paths excluded from sign-in are not applied, so the provider webhooks are refused too")
  fi
  status=$(http_status "$BASE_URL/api/me")
  code=$(app_error_code)
  if [[ $status == 200 ]]; then
    FORGERY_OPEN=true
    FINDINGS+=("GET /api/me without credentials answered 200")
  elif [[ $status != 401 ]]; then
    FINDINGS+=("GET /api/me without credentials answered $status, not 401")
  elif [[ $SIGN_IN == true && $code == authentication_unavailable ]]; then
    FINDINGS+=("GET /api/me without credentials reached the app, which answered 401 authentication_unavailable: App Service Authentication is not running in front of it (WEBSITE_AUTH_ENABLED is not set), so nobody can sign in")
  elif [[ $SIGN_IN == true && -n $code ]]; then
    FINDINGS+=("GET /api/me without credentials reached the app (it answered 401 $code itself): App Service Authentication is on but lets callers through who are not signed in")
  fi
  # A read-only admin route: a forged request that does get through writes nothing
  # (GET /api/me would enter the forged principal in the agents directory).
  status=$(http_status "$BASE_URL/api/admin/agents" --header "X-MS-CLIENT-PRINCIPAL: $(forged_principal)" \
    --header "X-MS-CLIENT-PRINCIPAL-ID: 00000000-0000-4000-8000-00000000f0f0" \
    --header "X-MS-CLIENT-PRINCIPAL-NAME: deploy.sh forged-principal probe")
  if [[ $status == 200 ]]; then
    FORGERY_OPEN=true
    FINDINGS+=("GET /api/admin/agents with a forged X-MS-CLIENT-PRINCIPAL header claiming Switchboard.Admin answered 200: the app took it for a signed-in admin")
  fi
}

check_sign_in_enforced() {
  local attempt finding
  PROBE_BODY="$WORK_DIR/probe-body"
  for ((attempt = 1; attempt <= RETRIES; attempt++)); do
    probe_sign_in
    ((${#FINDINGS[@]} > 0)) || return 0
    log "Sign-in not enforced as expected yet ($attempt/$RETRIES): ${FINDINGS[0]}"
    ((attempt == RETRIES)) || sleep "$RETRY_SLEEP"
  done
  {
    printf 'error: App Service Authentication does not protect %s as it must:\n' "$BASE_URL"
    for finding in "${FINDINGS[@]}"; do
      printf '  - %s\n' "$finding"
    done
    if [[ $FORGERY_OPEN == true ]]; then
      printf 'The agent and admin routes are OPEN TO FORGERY until the platform enforces sign-in: anyone can claim any role with a forged X-MS-CLIENT-PRINCIPAL header.\n'
      printf 'Stop the app now (az functionapp stop --resource-group %s --name %s), ' "$RESOURCE_GROUP" "$APP_NAME"
    else
      printf 'The agent and admin routes stay closed (the app refuses them), but nobody can sign in. '
    fi
    printf 'Check its authentication settings (az webapp auth show --resource-group %s --name %s), then rerun this script. See docs/deployment.md, "The sign-in check".\n' \
      "$RESOURCE_GROUP" "$APP_NAME"
  } >&2
  exit 1
}

if [[ $SKIP_CODE != true ]]; then
  log "Checking that $BASE_URL refuses callers who are not signed in, and forged ones"
  check_sign_in_enforced
  if [[ $SIGN_IN == true ]]; then
    log "Sign-in is enforced: App Service Authentication refuses callers who are not signed in and forged principals; /api/health stays open"
  else
    log "Agent and admin routes refuse every caller (sign-in is off); /api/health stays open"
  fi
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
EOF
if [[ -n $WEBPUBSUB_HOST ]]; then
  printf '  Live push:     Azure Web PubSub %s\n' "$WEBPUBSUB_HOST"
else
  printf '  Live push:     none (no Azure Web PubSub): the workspace long-polls GET /api/me/changes\n'
fi
cat <<EOF

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

Agent and admin API (a signed-in browser session, or an Entra access token as
"Authorization: Bearer <token>"):
  $(callback adminAccounts)
  $(callback adminWorkstreams)
  $(callback conversations)
EOF

# How people and scripts get in: where they sign in, how they are given a role, how a
# script gets a token. Role ids come from $APP_ROLES_FILE.
print_sign_in() {
  if [[ $SIGN_IN != true ]]; then
    cat <<EOF

Sign-in is off (--no-auth): every agent and admin route answers 401. Rerun without
--no-auth, as someone who may register applications, to turn it on.
EOF
    return
  fi
  local roles who="Only people and applications given one of its app roles can sign in:"
  [[ $ASSIGNMENT_REQUIRED == true ]] ||
    who="Anyone in the tenant can sign in (role assignment is not required, see the warning above); the app roles:"
  roles=$(python3 -c '
import json, sys
for role in json.load(open(sys.argv[1])):
    if "User" in role["allowedMemberTypes"]:
        print("    %-24s %s" % (role["value"], role["id"]))
' "$APP_ROLES_FILE")
  cat <<EOF

Sign-in: Microsoft Entra ID through App Service Authentication.
  People sign in at:  $(output signInUrl)
  App registration:   $ENTRA_APP_NAME (application id $ENTRA_APP_ID, service principal $ENTRA_SP_ID)
  $who
$roles

Give a person a role (appRoleId from the list above; it counts from their next sign-in):
  user=\$(az ad user show --id someone@example.com --query id --output tsv)
  # yourself: user=\$(az ad signed-in-user show --query id --output tsv)
  az rest --method post --url https://graph.microsoft.com/v1.0/servicePrincipals/$ENTRA_SP_ID/appRoleAssignedTo \\
    --body "{\"principalId\": \"\$user\", \"resourceId\": \"$ENTRA_SP_ID\", \"appRoleId\": \"<appRoleId>\"}"

A script signs in as an application: an app registration of its own whose service principal
is given a role the same way (principalId: az ad sp show --id <its appId> --query id --output tsv).
Logged in as it (az login --service-principal ...), it gets a token with
  az account get-access-token --resource api://$ENTRA_APP_ID --query accessToken --output tsv
or with the OAuth client-credentials request to
  https://login.microsoftonline.com/$TENANT_ID/oauth2/v2.0/token (scope=api://$ENTRA_APP_ID/.default)
and sends it as "Authorization: Bearer <token>". Details: docs/deployment.md.
EOF
}
print_sign_in
