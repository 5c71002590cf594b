#!/usr/bin/env bash
# A representative AWS CLI v2 session against tracegate's embedded emulator: Lambda, IAM, API Gateway v2 (HTTP
# APIs), API Gateway v1 (REST APIs), X-Ray, and the execute-api URLs with curl. Every command's exit code is
# checked, every JSON answer is parsed, and the parts a user relies on are matched with grep.
#
# For humans and for the lead, not for `npm test` (a fresh CI machine has no CLI v2).
#
#   npm run build && scripts/awscli-smoke.sh
#
# Environment: AWS_CLI (default /usr/bin/aws, which must be v2; the `aws` on PATH may be v1),
# TRACEGATE_BIN (default bin/run.js of this checkout), KEEP=1 to leave the emulator and its data running.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
AWS_CLI=${AWS_CLI:-/usr/bin/aws}
TRACEGATE_BIN=${TRACEGATE_BIN:-$ROOT/bin/run.js}
REGION=us-east-1
ACCOUNT=000000000000
ROLE_ARN=arn:aws:iam::$ACCOUNT:role/smoke-lambda

"$AWS_CLI" --version 2>&1 | grep -q '^aws-cli/2\.' || { echo "AWS CLI v2 not found at $AWS_CLI (set AWS_CLI)" >&2; exit 2; }
[ -f "$(dirname "$TRACEGATE_BIN")/../dist/commands/local/start.js" ] || { echo "dist/ is missing: run npm run build first" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is required" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tracegate-awscli-smoke.XXXXXX")
DATA="$WORK/data"
PASSED=0

stop_emulator() {
  if [ "${KEEP:-}" = 1 ]; then
    echo "KEEP=1: emulator left running at ${ENDPOINT:-?} (stop: node $TRACEGATE_BIN local stop --data-dir $DATA)"
    return
  fi
  node "$TRACEGATE_BIN" local stop --data-dir "$DATA" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap stop_emulator EXIT

fail() {
  echo "FAIL: $*" >&2
  [ -n "${OUT:-}" ] && printf '  stdout: %s\n' "$OUT" | head -40 >&2
  [ -s "$WORK/stderr" ] && sed 's/^/  stderr: /' "$WORK/stderr" | head -20 >&2
  exit 1
}

ok() {
  PASSED=$((PASSED + 1))
  echo "ok  $*"
}

# --- starting the emulator ---------------------------------------------------------------------------------------
STARTED=$(node "$TRACEGATE_BIN" local start --detach --port 0 --data-dir "$DATA" --json)
ENDPOINT=$(printf '%s' "$STARTED" | grep -o '"endpoint": *"[^"]*"' | sed 's/.*"\(http[^"]*\)"/\1/')
[ -n "$ENDPOINT" ] || { echo "could not read the emulator's endpoint from: $STARTED" >&2; exit 1; }
echo "emulator at $ENDPOINT (data $DATA)"

# aws ARGS...: runs the CLI against the emulator; stdout in $OUT, stderr in $WORK/stderr, exit code in $RC.
aws() {
  set +e
  OUT=$(AWS_ACCESS_KEY_ID=smoke AWS_SECRET_ACCESS_KEY=smoke AWS_REGION=$REGION AWS_PAGER='' AWS_CONFIG_FILE=/dev/null \
    AWS_SHARED_CREDENTIALS_FILE=/dev/null "$AWS_CLI" --endpoint-url "$ENDPOINT" --output json "$@" 2>"$WORK/stderr")
  RC=$?
  set -e
}

# run LABEL ARGS...: the command must succeed and print JSON (or nothing).
run() {
  local label=$1
  shift
  aws "$@"
  [ "$RC" -eq 0 ] || fail "$label: exit $RC"
  if [ -n "$OUT" ]; then
    printf '%s' "$OUT" | node -e 'JSON.parse(require("fs").readFileSync(0, "utf8"))' 2>/dev/null || fail "$label: output is not JSON"
  fi
}

# expect LABEL EXTENDED-REGEX: the last output matches.
expect() {
  printf '%s' "$OUT" | grep -qE -- "$2" || fail "$1: output does not match /$2/"
  ok "$1"
}

# expect_error LABEL CODE OPERATION MESSAGE-REGEX ARGS...: the CLI exits 254 with AWS's error line.
expect_error() {
  local label=$1 code=$2 operation=$3 message=$4
  shift 4
  aws "$@"
  [ "$RC" -eq 254 ] || fail "$label: expected exit 254, got $RC"
  grep -qE -- "An error occurred \($code\) when calling the $operation operation: $message" "$WORK/stderr" ||
    fail "$label: stderr is not 'An error occurred ($code) when calling the $operation operation: $message'"
  ok "$label"
}

# http LABEL STATUS BODY-REGEX URL [curl args]: an execute-api call answers STATUS with a matching body.
http() {
  local label=$1 status=$2 pattern=$3 url=$4
  shift 4
  OUT=$(curl -s -o "$WORK/body" -w '%{http_code}' "$@" "$url") || fail "$label: curl failed"
  [ "$OUT" = "$status" ] || { OUT=$(cat "$WORK/body"); fail "$label: HTTP $status expected"; }
  grep -qE -- "$pattern" "$WORK/body" || { OUT=$(cat "$WORK/body"); fail "$label: body does not match /$pattern/"; }
  ok "$label"
}

# zip_of FILE.zip SOURCE: a deployment package with index.js (fflate, a dependency of this repo).
zip_of() {
  (cd "$ROOT" && node -e '
    const {zipSync, strToU8} = require("fflate")
    require("fs").writeFileSync(process.argv[1], zipSync({"index.js": strToU8(process.argv[2])}))
  ' "$WORK/$1" "$2")
}

cd "$WORK"
zip_of ok.zip 'exports.handler = async (event) => { console.log("smoke log line"); return {statusCode: 200, headers: {"content-type": "application/json"}, body: JSON.stringify({ok: true, echo: event && event.rawPath !== undefined ? event.rawPath : (event && event.path !== undefined ? event.path : event)})} }'
zip_of ok2.zip 'exports.handler = async (event) => ({statusCode: 200, body: JSON.stringify({version: 2, echo: event})})'
zip_of boom.zip 'exports.handler = async () => { throw new Error("smoke failure") }'
printf '%s' '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}' >trust.json

# --- IAM ----------------------------------------------------------------------------------------------------------
run "iam create-role" iam create-role --role-name smoke-lambda --assume-role-policy-document file://trust.json
expect "iam create-role returns the role ARN" "\"Arn\": \"$ROLE_ARN\""
run "iam get-role" iam get-role --role-name smoke-lambda
expect "iam get-role decodes the trust policy" '"Service": "lambda.amazonaws.com"'
run "iam attach-role-policy" iam attach-role-policy --role-name smoke-lambda --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
run "iam list-attached-role-policies" iam list-attached-role-policies --role-name smoke-lambda
expect "iam list-attached-role-policies lists the attachment" '"PolicyName": "AWSLambdaBasicExecutionRole"'
expect_error "iam get-role on a missing role" NoSuchEntity GetRole 'The role with name nope cannot be found\.' iam get-role --role-name nope
expect_error "iam delete-role with an attached policy" DeleteConflict DeleteRole 'Cannot delete entity, must detach all policies first\.' iam delete-role --role-name smoke-lambda

# --- Lambda -------------------------------------------------------------------------------------------------------
run "lambda create-function" lambda create-function --function-name smoke-fn --runtime nodejs20.x --handler index.handler \
  --role "$ROLE_ARN" --zip-file fileb://ok.zip --timeout 5 --tags project=smoke
expect "lambda create-function reports the function ARN" "\"FunctionArn\": \"arn:aws:lambda:$REGION:$ACCOUNT:function:smoke-fn\""
run "lambda wait function-active-v2" lambda wait function-active-v2 --function-name smoke-fn
ok "lambda wait function-active-v2"
run "lambda create-function (a second one)" lambda create-function --function-name smoke-boom --runtime nodejs20.x \
  --handler index.handler --role "$ROLE_ARN" --zip-file fileb://boom.zip
run "lambda get-function" lambda get-function --function-name smoke-fn
expect "lambda get-function has the configuration, code location and tags" '"RepositoryType": "S3".*|"Location": "http'
expect "lambda get-function is Active" '"State": "Active"'
run "lambda get-function-configuration" lambda get-function-configuration --function-name "arn:aws:lambda:$REGION:$ACCOUNT:function:smoke-fn"
expect "lambda get-function-configuration by ARN" '"Handler": "index.handler"'
run "lambda list-functions --max-items 1" lambda list-functions --max-items 1
expect "lambda list-functions pages (NextToken)" '"NextToken": "'
TOKEN=$(printf '%s' "$OUT" | grep -o '"NextToken": "[^"]*"' | sed 's/.*: "\(.*\)"/\1/')
FIRST=$(printf '%s' "$OUT" | grep -o '"FunctionName": "[^"]*"')
run "lambda list-functions --starting-token" lambda list-functions --max-items 1 --starting-token "$TOKEN"
SECOND=$(printf '%s' "$OUT" | grep -o '"FunctionName": "[^"]*"')
[ -n "$SECOND" ] && [ "$FIRST" != "$SECOND" ] || fail "lambda list-functions: the second page repeats $FIRST"
ok "lambda list-functions --starting-token gives the next function"
run "lambda update-function-code" lambda update-function-code --function-name smoke-fn --zip-file fileb://ok2.zip
expect "lambda update-function-code changes the code" '"LastUpdateStatus": "Successful"'
run "lambda wait function-updated-v2" lambda wait function-updated-v2 --function-name smoke-fn
ok "lambda wait function-updated-v2"
run "lambda update-function-configuration" lambda update-function-configuration --function-name smoke-fn \
  --environment 'Variables={STAGE=smoke}' --memory-size 256 --tracing-config Mode=Active
expect "lambda update-function-configuration applies the settings" '"STAGE": "smoke"'
run "lambda invoke --log-type Tail" lambda invoke --function-name smoke-fn --log-type Tail \
  --cli-binary-format raw-in-base64-out --payload '{"hello":"world"}' out.json
expect "lambda invoke answers 200 from \$LATEST" '"StatusCode": 200'
LOG=$(printf '%s' "$OUT" | grep -o '"LogResult": "[^"]*"' | sed 's/.*: "\(.*\)"/\1/' | base64 -d)
printf '%s' "$LOG" | grep -q '^START RequestId: ' || fail "lambda invoke: LogResult is not a Lambda log tail: $LOG"
ok "lambda invoke LogResult decodes to the log tail"
grep -qE 'hello[\\"]*:[\\"]*world' out.json || fail "lambda invoke: the payload did not reach the handler: $(cat out.json)"
ok "lambda invoke passes the raw payload"
run "lambda invoke --invocation-type Event" lambda invoke --function-name smoke-fn --invocation-type Event out.json
expect "lambda invoke Event answers 202" '"StatusCode": 202'
run "lambda invoke --invocation-type DryRun" lambda invoke --function-name smoke-fn --invocation-type DryRun out.json
expect "lambda invoke DryRun answers 204" '"StatusCode": 204'
run "lambda invoke a throwing handler" lambda invoke --function-name smoke-boom out.json
expect "lambda invoke reports the function error (exit 0, as on AWS)" '"FunctionError": "Unhandled"'
grep -q '"errorMessage":"smoke failure"' out.json || fail "lambda invoke: no error payload: $(cat out.json)"
ok "lambda invoke writes the error payload"
run "lambda add-permission" lambda add-permission --function-name smoke-fn --statement-id smoke-1 \
  --action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn "arn:aws:execute-api:$REGION:$ACCOUNT:abc/*/GET/x"
expect "lambda add-permission returns the statement (a JSON string)" '"Statement": "\{\\"Sid\\":\\"smoke-1\\"'
expect_error "lambda add-permission with a duplicate statement id" ResourceConflictException AddPermission \
  'The statement id \(smoke-1\) provided already exists\. Please provide a new statement id, or remove the existing statement\.' \
  lambda add-permission --function-name smoke-fn --statement-id smoke-1 --action lambda:InvokeFunction --principal apigateway.amazonaws.com
run "lambda get-policy" lambda get-policy --function-name smoke-fn
expect "lambda get-policy returns the policy and its revision" '"RevisionId": "'
run "lambda remove-permission" lambda remove-permission --function-name smoke-fn --statement-id smoke-1
expect_error "lambda get-policy without a policy" ResourceNotFoundException GetPolicy 'The resource you requested does not exist\.' \
  lambda get-policy --function-name smoke-fn
expect_error "lambda remove-permission of a missing statement" ResourceNotFoundException RemovePermission \
  'No policy is associated with the given resource\.' lambda remove-permission --function-name smoke-fn --statement-id smoke-1
run "lambda put-function-concurrency" lambda put-function-concurrency --function-name smoke-fn --reserved-concurrent-executions 5
expect "lambda put-function-concurrency" '"ReservedConcurrentExecutions": 5'
run "lambda get-function-concurrency" lambda get-function-concurrency --function-name smoke-fn
expect "lambda get-function-concurrency" '"ReservedConcurrentExecutions": 5'
run "lambda delete-function-concurrency" lambda delete-function-concurrency --function-name smoke-fn
run "lambda get-function-concurrency after delete" lambda get-function-concurrency --function-name smoke-fn
[ -z "$OUT" ] || fail "lambda get-function-concurrency: expected no reservation"
ok "lambda delete-function-concurrency removes the reservation"
run "lambda publish-version" lambda publish-version --function-name smoke-fn --description first
expect "lambda publish-version numbers the version" "\"FunctionArn\": \"arn:aws:lambda:$REGION:$ACCOUNT:function:smoke-fn:1\""
run "lambda create-alias" lambda create-alias --function-name smoke-fn --name live --function-version 1
expect "lambda create-alias returns the alias ARN" "\"AliasArn\": \"arn:aws:lambda:$REGION:$ACCOUNT:function:smoke-fn:live\""
run "lambda update-function-code --publish" lambda update-function-code --function-name smoke-fn --zip-file fileb://ok.zip --publish
expect "lambda update-function-code --publish answers with version 2" '"Version": "2"'
run "lambda list-versions-by-function" lambda list-versions-by-function --function-name smoke-fn
expect "lambda list-versions-by-function lists \$LATEST, 1 and 2" '"Version": "2"'
run "lambda invoke --qualifier live" lambda invoke --function-name smoke-fn --qualifier live out.json
expect "lambda invoke through an alias runs its version" '"ExecutedVersion": "1"'
grep -qE 'version[\\"]*:2' out.json || fail "lambda invoke --qualifier live: version 1's code did not run: $(cat out.json)"
ok "lambda invoke --qualifier runs the version's own code"
run "lambda update-alias" lambda update-alias --function-name smoke-fn --name live --function-version 2 \
  --routing-config 'AdditionalVersionWeights={1=0.25}'
expect "lambda update-alias sets the routing" '"1": 0.25'
run "lambda add-permission --qualifier" lambda add-permission --function-name smoke-fn --qualifier live --statement-id alias-1 \
  --action lambda:InvokeFunction --principal apigateway.amazonaws.com
expect "lambda add-permission --qualifier scopes the statement to the alias" 'function:smoke-fn:live'
run "lambda list-aliases" lambda list-aliases --function-name smoke-fn
expect "lambda list-aliases" '"Name": "live"'
expect_error "lambda delete-function of a version an alias uses" ResourceConflictException DeleteFunction \
  'Unable to delete version because the following aliases reference it: \[live\]' lambda delete-function --function-name smoke-fn --qualifier 1
run "lambda delete-alias" lambda delete-alias --function-name smoke-fn --name live
expect_error "lambda get-alias after delete" ResourceNotFoundException GetAlias \
  "Cannot find alias arn: arn:aws:lambda:$REGION:$ACCOUNT:function:smoke-fn:live" lambda get-alias --function-name smoke-fn --name live
run "lambda update-function-code (back to the code the rest of this session expects)" lambda update-function-code --function-name smoke-fn --zip-file fileb://ok2.zip
expect_error "lambda get-function on a missing function" ResourceNotFoundException GetFunction \
  "Function not found: arn:aws:lambda:$REGION:$ACCOUNT:function:nope" lambda get-function --function-name nope
expect_error "lambda get-function with a bad name" ValidationException GetFunction \
  "1 validation error detected: Value 'bad name!' at 'functionName' failed to satisfy constraint" lambda get-function --function-name 'bad name!'
expect_error "lambda create-function twice" ResourceConflictException CreateFunction 'Function already exist: smoke-fn' \
  lambda create-function --function-name smoke-fn --runtime nodejs20.x --handler index.handler --role "$ROLE_ARN" --zip-file fileb://ok.zip

# --- API Gateway v2 (HTTP API) ------------------------------------------------------------------------------------
FN_ARN=arn:aws:lambda:$REGION:$ACCOUNT:function:smoke-fn
BOOM_ARN=arn:aws:lambda:$REGION:$ACCOUNT:function:smoke-boom
run "apigatewayv2 create-api" apigatewayv2 create-api --name smoke-http --protocol-type HTTP --tags project=smoke
HTTP_API=$(printf '%s' "$OUT" | grep -o '"ApiId": "[^"]*"' | sed 's/.*: "\(.*\)"/\1/')
HTTP_URL=$(printf '%s' "$OUT" | grep -o '"ApiEndpoint": "[^"]*"' | sed 's/.*: "\(.*\)"/\1/')
[ -n "$HTTP_API" ] && [ -n "$HTTP_URL" ] || fail "apigatewayv2 create-api: no ApiId/ApiEndpoint"
ok "apigatewayv2 create-api returns ApiId and ApiEndpoint"
run "apigatewayv2 get-apis" apigatewayv2 get-apis
expect "apigatewayv2 get-apis lists the API" "\"ApiId\": \"$HTTP_API\""
run "apigatewayv2 get-api" apigatewayv2 get-api --api-id "$HTTP_API"
expect "apigatewayv2 get-api" '"ProtocolType": "HTTP"'
run "apigatewayv2 create-integration" apigatewayv2 create-integration --api-id "$HTTP_API" --integration-type AWS_PROXY \
  --integration-uri "$FN_ARN" --payload-format-version 2.0
INTEGRATION=$(printf '%s' "$OUT" | grep -o '"IntegrationId": "[^"]*"' | sed 's/.*: "\(.*\)"/\1/')
run "apigatewayv2 create-integration (throwing function)" apigatewayv2 create-integration --api-id "$HTTP_API" \
  --integration-type AWS_PROXY --integration-uri "$BOOM_ARN" --payload-format-version 2.0
BOOM_INTEGRATION=$(printf '%s' "$OUT" | grep -o '"IntegrationId": "[^"]*"' | sed 's/.*: "\(.*\)"/\1/')
run "apigatewayv2 create-route" apigatewayv2 create-route --api-id "$HTTP_API" --route-key 'GET /hello/{name}' --target "integrations/$INTEGRATION"
ROUTE=$(printf '%s' "$OUT" | grep -o '"RouteId": "[^"]*"' | sed 's/.*: "\(.*\)"/\1/')
run "apigatewayv2 create-route (throwing)" apigatewayv2 create-route --api-id "$HTTP_API" --route-key 'GET /boom' --target "integrations/$BOOM_INTEGRATION"
run "apigatewayv2 get-routes" apigatewayv2 get-routes --api-id "$HTTP_API"
expect "apigatewayv2 get-routes lists the route" '"RouteKey": "GET /hello/\{name\}"'
run "apigatewayv2 create-stage" apigatewayv2 create-stage --api-id "$HTTP_API" --stage-name '$default' --auto-deploy
run "apigatewayv2 get-stages" apigatewayv2 get-stages --api-id "$HTTP_API"
expect "apigatewayv2 get-stages" '"StageName": "\$default"'
run "apigatewayv2 update-api" apigatewayv2 update-api --api-id "$HTTP_API" --description 'smoke test API'
expect "apigatewayv2 update-api" '"Description": "smoke test API"'
run "apigatewayv2 update-route" apigatewayv2 update-route --api-id "$HTTP_API" --route-id "$ROUTE" --route-key 'GET /hi/{name}'
expect "apigatewayv2 update-route" '"RouteKey": "GET /hi/\{name\}"'
run "apigatewayv2 update-stage" apigatewayv2 update-stage --api-id "$HTTP_API" --stage-name '$default' --stage-variables color=blue
expect "apigatewayv2 update-stage" '"color": "blue"'
run "apigatewayv2 tag-resource" apigatewayv2 tag-resource --resource-arn "arn:aws:apigateway:$REGION::/apis/$HTTP_API" --tags team=qa
run "apigatewayv2 get-tags" apigatewayv2 get-tags --resource-arn "arn:aws:apigateway:$REGION::/apis/$HTTP_API"
expect "apigatewayv2 get-tags" '"team": "qa"'
run "apigatewayv2 untag-resource" apigatewayv2 untag-resource --resource-arn "arn:aws:apigateway:$REGION::/apis/$HTTP_API" --tag-keys team
http "HTTP API without the invoke permission answers 500" 500 '^\{"message":"Internal Server Error"\}$' "$HTTP_URL/hi/bob"
run "lambda add-permission for the HTTP API" lambda add-permission --function-name smoke-fn --statement-id smoke-http \
  --action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn "arn:aws:execute-api:$REGION:$ACCOUNT:$HTTP_API/*/*/hi/*"
run "lambda add-permission for the HTTP API (throwing)" lambda add-permission --function-name smoke-boom --statement-id smoke-http \
  --action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn "arn:aws:execute-api:$REGION:$ACCOUNT:$HTTP_API/*/*/boom"
http "HTTP API route answers through Lambda" 200 '"version":2.*"routeKey":"GET /hi/\{name\}"' "$HTTP_URL/hi/bob"
http "HTTP API function error is 500" 500 '^\{"message":"Internal Server Error"\}$' "$HTTP_URL/boom"
http "HTTP API unknown route is 404" 404 '^\{"message":"Not Found"\}$' "$HTTP_URL/nowhere"
run "apigatewayv2 get-deployments" apigatewayv2 get-deployments --api-id "$HTTP_API"
expect "apigatewayv2 get-deployments lists the auto-deploy stage's deployments" '"AutoDeployed": true'
run "apigatewayv2 create-stage (no auto-deploy)" apigatewayv2 create-stage --api-id "$HTTP_API" --stage-name v1
http "HTTP API stage never deployed answers 404" 404 '^\{"message":"Not Found"\}$' "$HTTP_URL/v1/hi/bob"
run "apigatewayv2 create-deployment" apigatewayv2 create-deployment --api-id "$HTTP_API" --stage-name v1 --description first
expect "apigatewayv2 create-deployment" '"DeploymentStatus": "DEPLOYED"'
http "HTTP API stage serves its deployment" 200 '"version":2' "$HTTP_URL/v1/hi/bob"
run "apigatewayv2 delete-stage v1" apigatewayv2 delete-stage --api-id "$HTTP_API" --stage-name v1
expect_error "apigatewayv2 delete-integration still routed" ConflictException DeleteIntegration \
  'Cannot delete Integration because it is referenced by the following Routes with Ids: \[' \
  apigatewayv2 delete-integration --api-id "$HTTP_API" --integration-id "$BOOM_INTEGRATION"
run "apigatewayv2 delete-route" apigatewayv2 delete-route --api-id "$HTTP_API" --route-id "$ROUTE"
run "apigatewayv2 delete-integration" apigatewayv2 delete-integration --api-id "$HTTP_API" --integration-id "$INTEGRATION"
run "apigatewayv2 delete-stage" apigatewayv2 delete-stage --api-id "$HTTP_API" --stage-name '$default'
run "apigatewayv2 delete-api" apigatewayv2 delete-api --api-id "$HTTP_API"
ok "apigatewayv2 delete-route, delete-integration, delete-stage, delete-api"
expect_error "apigatewayv2 get-api after delete" NotFoundException GetApi "Invalid API identifier specified $ACCOUNT:$HTTP_API" \
  apigatewayv2 get-api --api-id "$HTTP_API"

# --- API Gateway v1 (REST API) ------------------------------------------------------------------------------------
run "apigateway create-rest-api" apigateway create-rest-api --name smoke-rest --endpoint-configuration types=REGIONAL
REST_API=$(printf '%s' "$OUT" | grep -o '"id": "[^"]*"' | head -1 | sed 's/.*: "\(.*\)"/\1/')
run "apigateway get-resources" apigateway get-resources --rest-api-id "$REST_API"
expect "apigateway get-resources has the root" '"path": "/"'
ROOT_ID=$(printf '%s' "$OUT" | grep -o '"id": "[^"]*"' | head -1 | sed 's/.*: "\(.*\)"/\1/')
run "apigateway create-resource" apigateway create-resource --rest-api-id "$REST_API" --parent-id "$ROOT_ID" --path-part hello
expect "apigateway create-resource" '"path": "/hello"'
HELLO_ID=$(printf '%s' "$OUT" | grep -o '"id": "[^"]*"' | head -1 | sed 's/.*: "\(.*\)"/\1/')
run "apigateway create-resource (throwing)" apigateway create-resource --rest-api-id "$REST_API" --parent-id "$ROOT_ID" --path-part boom
BOOM_ID=$(printf '%s' "$OUT" | grep -o '"id": "[^"]*"' | head -1 | sed 's/.*: "\(.*\)"/\1/')
for pair in "$HELLO_ID:$FN_ARN" "$BOOM_ID:$BOOM_ARN"; do
  resource=${pair%%:*}
  target=${pair#*:}
  run "apigateway put-method" apigateway put-method --rest-api-id "$REST_API" --resource-id "$resource" --http-method GET --authorization-type NONE
  run "apigateway put-integration" apigateway put-integration --rest-api-id "$REST_API" --resource-id "$resource" --http-method GET \
    --type AWS_PROXY --integration-http-method POST \
    --uri "arn:aws:apigateway:$REGION:lambda:path/2015-03-31/functions/$target/invocations"
done
expect "apigateway put-integration" '"type": "AWS_PROXY"'
run "apigateway create-deployment" apigateway create-deployment --rest-api-id "$REST_API" --stage-name dev
run "apigateway get-stages" apigateway get-stages --rest-api-id "$REST_API"
expect "apigateway get-stages" '"stageName": "dev"'
REST_URL=$ENDPOINT/_aws/execute-api/$REST_API/dev
http "REST API without the invoke permission answers 500" 500 '^\{"message": "Internal server error"\}$' "$REST_URL/hello"
run "lambda add-permission for the REST API" lambda add-permission --function-name smoke-fn --statement-id smoke-rest \
  --action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn "arn:aws:execute-api:$REGION:$ACCOUNT:$REST_API/*/GET/*"
run "lambda add-permission for the REST API (throwing)" lambda add-permission --function-name smoke-boom --statement-id smoke-rest \
  --action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn "arn:aws:execute-api:$REGION:$ACCOUNT:$REST_API/*/GET/*"
http "REST API method answers through Lambda" 200 '"resource":"/hello"' "$REST_URL/hello"
http "REST API function error is 502" 502 '^\{"message": "Internal server error"\}$' "$REST_URL/boom"
http "REST API unknown resource is 403 Missing Authentication Token" 403 'Missing Authentication Token' "$REST_URL/nowhere"
expect_error "apigateway create-resource twice" ConflictException CreateResource 'Another resource with the same parent already has this name: hello' \
  apigateway create-resource --rest-api-id "$REST_API" --parent-id "$ROOT_ID" --path-part hello
expect_error "apigateway get-resource on a missing id" NotFoundException GetResource 'Invalid Resource identifier specified$' \
  apigateway get-resource --rest-api-id "$REST_API" --resource-id nope
expect_error "apigateway put-method with a bad method" BadRequestException PutMethod 'Invalid HttpMethod specified' \
  apigateway put-method --rest-api-id "$REST_API" --resource-id "$HELLO_ID" --http-method FETCH --authorization-type NONE
run "apigateway delete-rest-api" apigateway delete-rest-api --rest-api-id "$REST_API"
expect_error "apigateway get-rest-api after delete" NotFoundException GetRestApi "Invalid API identifier specified $ACCOUNT:$REST_API" \
  apigateway get-rest-api --rest-api-id "$REST_API"

# --- X-Ray --------------------------------------------------------------------------------------------------------
NOW=$(date +%s)
TRACE_ID=1-$(printf '%08x' "$NOW")-$(node -e 'process.stdout.write(require("crypto").randomBytes(12).toString("hex"))')
SEGMENT="{\"trace_id\":\"$TRACE_ID\",\"id\":\"6226467e3f845502\",\"name\":\"smoke-client\",\"start_time\":$NOW.1,\"end_time\":$NOW.3,\"fault\":true,\"http\":{\"response\":{\"status\":500}}}"
run "xray put-trace-segments" xray put-trace-segments --trace-segment-documents "$SEGMENT"
expect "xray put-trace-segments accepts the segment" '"UnprocessedTraceSegments": \[\]'
run "xray get-trace-summaries" xray get-trace-summaries --start-time $((NOW - 300)) --end-time $((NOW + 60))
expect "xray get-trace-summaries lists the trace" "\"Id\": \"$TRACE_ID\""
expect "xray get-trace-summaries lists the active-tracing Lambda invocation" '"Type": "AWS::Lambda::Function"'
run "xray get-trace-summaries --filter-expression" xray get-trace-summaries --start-time $((NOW - 300)) --end-time $((NOW + 60)) \
  --filter-expression 'service("smoke-client") AND fault'
expect "xray get-trace-summaries filters by service and fault" "\"Id\": \"$TRACE_ID\""
run "xray batch-get-traces" xray batch-get-traces --trace-ids "$TRACE_ID"
expect "xray batch-get-traces returns the segment document" '"Document": "\{'
expect_error "xray get-trace-summaries with the times reversed" InvalidRequestException GetTraceSummaries 'EndTime must be after StartTime' \
  xray get-trace-summaries --start-time "$NOW" --end-time $((NOW - 60))
run "xray get-service-graph" xray get-service-graph --start-time $((NOW - 300)) --end-time $((NOW + 60))
expect "xray get-service-graph has the traced function" '"Type": "AWS::Lambda::Function"'
run "xray get-sampling-rules" xray get-sampling-rules
expect "xray get-sampling-rules lists the Default rule" '"RuleName": "Default"'

# --- clean up -----------------------------------------------------------------------------------------------------
run "lambda delete-function" lambda delete-function --function-name smoke-fn
run "lambda delete-function (throwing)" lambda delete-function --function-name smoke-boom
expect_error "lambda delete-function twice" ResourceNotFoundException DeleteFunction "Function not found: arn:aws:lambda:$REGION:$ACCOUNT:function:smoke-fn" \
  lambda delete-function --function-name smoke-fn
run "iam detach-role-policy" iam detach-role-policy --role-name smoke-lambda --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
run "iam delete-role" iam delete-role --role-name smoke-lambda
ok "lambda delete-function, iam detach-role-policy, delete-role"

echo "all $PASSED checks passed ($("$AWS_CLI" --version 2>&1 | cut -d' ' -f1))"
