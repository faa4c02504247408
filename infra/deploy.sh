#!/usr/bin/env bash
# Deploy the ANPR stack: STAGE=dev|prod bash infra/deploy.sh [extra cdk args...]
# Fails fast, before any synth or bundling, when no AWS credentials are configured.
# (The credentials check lives here on purpose: infra/app.py makes no AWS calls.)
set -euo pipefail

cd "$(dirname "$0")/.."
STAGE="${STAGE:-dev}"
PY=".venv/bin/python"

case "$STAGE" in
  dev|prod) ;;
  *) echo "deploy: unknown STAGE '$STAGE' (expected dev or prod)" >&2; exit 2 ;;
esac

[ -x "$PY" ] || { echo "deploy: $PY missing; run 'make setup' first" >&2; exit 2; }

# Node 20 is end-of-life (2026-10-30): jsii and the CDK CLI support Node 22 and 24 (package.json engines)
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 22 ]; then
  echo "deploy: Node.js 22 or 24 is required (found $(node --version 2>/dev/null || echo none)); install an LTS (e.g. nvm install 22) and rerun" >&2
  exit 2
fi

if ! identity="$("$PY" - <<'PY' 2>&1
import sys
import boto3
from botocore.exceptions import BotoCoreError, ClientError

try:
    who = boto3.client("sts").get_caller_identity()
except (BotoCoreError, ClientError) as exc:
    sys.exit(f"{type(exc).__name__}: {exc}")
print(f"{who['Account']} as {who['Arn']}")
PY
)"; then
  cat >&2 <<MSG
deploy: no usable AWS credentials, nothing was deployed.
  ${identity}
  Configure them first (aws configure sso / AWS_PROFILE=... / AWS_ACCESS_KEY_ID...), then rerun.
MSG
  exit 1
fi
echo "deploy: stage=$STAGE account=$identity"

npm ci --no-audit --no-fund --silent
npx cdk deploy -c "stage=$STAGE" --require-approval broadening --outputs-file cdk.out/outputs.json "$@"

# The web apps: web/dist (make web) and /config.json (where the API, the live channel and the
# sign-in are) to the assets bucket with the deploying person's credentials (no deployment-time
# Lambda with wildcard S3 rights in the stack), then the CDN's cache invalidated.
make web
# a stack output by its construct path and name (its logical id is that plus CDK's 8-character hash)
out() { .venv/bin/python -c "import json,re,sys; o=json.load(open('cdk.out/outputs.json')); print(next(v for s in o.values() for k, v in s.items() if re.fullmatch(re.escape(sys.argv[1]) + '[0-9A-F]{8}', k)))" "$1"; }
bucket=$(out WebAssetsBucket); distribution=$(out WebDistributionId); live=$(out WebLiveUrl)
# the apps sign in with Cognito's own API (USER_PASSWORD_AUTH, then the TOTP challenge): its
# regional endpoint (the pool id's prefix is its region) and the web client's id
pool=$(out ApiUserPoolId); client=$(out ApiWebClientId)
aws s3 sync web/dist "s3://$bucket" --delete --exclude config.json
printf '{"apiUrl": "/api", "liveUrl": "%s", "auth": {"endpoint": "https://cognito-idp.%s.amazonaws.com/", "clientId": "%s"}}\n' \
  "$live" "${pool%%_*}" "$client" | aws s3 cp - "s3://$bucket/config.json" --content-type application/json
aws cloudfront create-invalidation --distribution-id "$distribution" --paths '/*' >/dev/null
echo "deploy: web apps published to s3://$bucket ($(find web/dist -type f | wc -l) files)"
