"""Security properties of the synthesized template, asserted on every resource of a type."""

from __future__ import annotations

from anpr.kernel.platform import BUCKETS, QUEUES, TABLES

from infra.builders.buckets import NONCURRENT_VERSION_GRACE_DAYS
from infra.stages import stage as stage_config

DEV = stage_config("dev")


def _statements(document: dict) -> list[dict]:
    statements = document.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _identity_policy_documents(synth) -> dict[str, dict]:
    docs = {}
    for lid, r in synth.resources("AWS::IAM::Policy").items():
        docs[lid] = r["Properties"]["PolicyDocument"]
    for lid, r in synth.resources("AWS::IAM::ManagedPolicy").items():
        docs[lid] = r["Properties"]["PolicyDocument"]
    for lid, r in synth.resources("AWS::IAM::Role").items():
        for i, policy in enumerate(r["Properties"].get("Policies", [])):
            docs[f"{lid}/inline{i}"] = policy["PolicyDocument"]
    return docs


def _denies_insecure_transport(document: dict) -> bool:
    return any(
        s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        for s in _statements(document)
    )


# -- tables -------------------------------------------------------------------------------
def test_every_table_is_on_demand_with_pitr_and_kms(synth):
    # GIVEN the synthesized dev stack
    tables = synth.resources("AWS::DynamoDB::Table")
    # THEN every table has point-in-time recovery and customer-managed KMS encryption
    assert tables
    for lid, table in tables.items():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST", lid
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, lid
        sse = props["SSESpecification"]
        assert sse["SSEEnabled"] is True and sse["SSEType"] == "KMS" and "KMSMasterKeyId" in sse, lid


def test_tables_with_a_ttl_in_the_spec_have_it_enabled(synth):
    for spec in TABLES:
        ttl = synth.props(synth.logical_id("table", spec.id)).get("TimeToLiveSpecification")
        if spec.ttl_attribute:
            assert ttl == {"AttributeName": spec.ttl_attribute, "Enabled": True}, spec.id
        else:
            assert ttl is None, spec.id


# -- buckets ------------------------------------------------------------------------------
def test_every_bucket_is_encrypted_private_and_logged(synth):
    buckets = synth.resources("AWS::S3::Bucket")
    access_logs = synth.stack.access_logs.node.default_child
    access_logs_id = synth.stack.get_logical_id(access_logs)
    for lid, bucket in buckets.items():
        props = bucket["Properties"]
        rule = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
            "ServerSideEncryptionByDefault"
        ]
        if lid == access_logs_id:
            # S3 server access logs can only be delivered to SSE-S3 buckets
            assert rule == {"SSEAlgorithm": "AES256"}
        else:
            assert rule["SSEAlgorithm"] == "aws:kms" and "KMSMasterKeyID" in rule, lid
            assert props["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": access_logs_id}, lid
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, lid


def test_buckets_are_versioned_unless_the_spec_says_otherwise(synth):
    # (versioning follows BucketSpec.versioned; the access-log bucket is always versioned)
    expected = {synth.logical_id("bucket", b.id): b.versioned for b in BUCKETS}
    expected[synth.stack.get_logical_id(synth.stack.access_logs.node.default_child)] = True
    for lid, versioned in expected.items():
        status = synth.props(lid).get("VersioningConfiguration", {}).get("Status")
        assert (status == "Enabled") == versioned, lid


def test_every_bucket_policy_denies_plain_http(synth):
    buckets = set(synth.resources("AWS::S3::Bucket"))
    policies = synth.resources("AWS::S3::BucketPolicy").values()
    tls_only = {
        p["Properties"]["Bucket"]["Ref"]
        for p in policies
        if _denies_insecure_transport(p["Properties"]["PolicyDocument"])
    }
    assert tls_only == buckets


def test_objects_expire_with_the_stage_retention(synth):
    expected = {synth.logical_id("bucket", b.id) for b in BUCKETS if b.expire_with_retention}
    expected.add(synth.stack.get_logical_id(synth.stack.access_logs.node.default_child))
    for lid in expected:
        rules = {r["Id"]: r for r in synth.props(lid)["LifecycleConfiguration"]["Rules"]}
        retention = rules["expire-with-retention"]
        assert retention["Status"] == "Enabled"
        assert retention["ExpirationInDays"] == DEV.retention_days, lid
        if synth.props(lid).get("VersioningConfiguration"):
            # a version that stops being current is gone a day later: nothing outlives retention
            assert retention["NoncurrentVersionExpiration"] == {
                "NoncurrentDays": NONCURRENT_VERSION_GRACE_DAYS
            }, lid


# -- queues -------------------------------------------------------------------------------
def test_every_queue_is_kms_encrypted_and_tls_only(synth):
    queues = synth.resources("AWS::SQS::Queue")
    tls_only = set()
    for policy in synth.resources("AWS::SQS::QueuePolicy").values():
        if _denies_insecure_transport(policy["Properties"]["PolicyDocument"]):
            tls_only |= {q["Ref"] for q in policy["Properties"]["Queues"]}
    for lid, queue in queues.items():
        assert "KmsMasterKeyId" in queue["Properties"], lid
    assert tls_only == set(queues)


def test_every_queue_but_a_dlq_redrives_to_its_dlq(synth):
    for spec in QUEUES:
        redrive = synth.props(synth.logical_id("queue", spec.id)).get("RedrivePolicy")
        if spec.is_dlq:
            assert redrive is None, spec.id
        else:
            assert redrive is not None, f"{spec.id} has no DLQ"
            assert redrive["maxReceiveCount"] == spec.max_receive_count, spec.id


def test_every_event_source_mapping_reports_batch_item_failures(synth):
    mappings = synth.resources("AWS::Lambda::EventSourceMapping")
    for lid, mapping in mappings.items():
        assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"], lid


# -- IAM / KMS / SNS ----------------------------------------------------------------------
def test_no_identity_policy_allows_a_wildcard_action(synth):
    # GIVEN every IAM identity policy in the template (policies, managed policies, inline)
    offenders = []
    for name, document in _identity_policy_documents(synth).items():
        for statement in _statements(document):
            if statement["Effect"] != "Allow":
                continue
            # THEN no allowed action is "*" or carries a wildcard ("s3:*", "kms:GenerateDataKey*")
            offenders += [f"{name}: {a}" for a in _as_list(statement["Action"]) if "*" in a]
    assert offenders == []


def test_every_kms_key_rotates(synth):
    keys = synth.resources("AWS::KMS::Key")
    assert keys
    for lid, key in keys.items():
        assert key["Properties"]["EnableKeyRotation"] is True, lid


def test_every_topic_is_kms_encrypted(synth):
    for lid, topic in synth.resources("AWS::SNS::Topic").items():
        assert "KmsMasterKeyId" in topic["Properties"], lid


# -- API / Cognito ------------------------------------------------------------------------
def test_every_api_method_requires_a_cognito_token_but_the_network_key_ones(synth):
    from anpr.kernel.platform import API_ROUTES

    device_methods = {
        synth.stack.api.methods[(r.method, r.path)] for r in API_ROUTES if r.auth == "network_key"
    }
    device_ids = {synth.stack.get_logical_id(m.node.default_child) for m in device_methods}
    assert len(device_ids) == 1  # POST /uploads, for cameras
    methods = synth.resources("AWS::ApiGateway::Method")
    for lid, method in methods.items():
        props = method["Properties"]
        assert "RequestValidatorId" in props, lid
        if lid in device_ids:
            # no authorizer: the function checks the network's key (tests/integration/test_networks_api.py)
            assert props["AuthorizationType"] == "NONE" and "AuthorizerId" not in props, lid
        else:
            assert props["AuthorizationType"] == "COGNITO_USER_POOLS", lid
            assert "AuthorizerId" in props, lid


def test_api_stage_logs_and_traces_without_request_bodies(synth):
    for lid, stage in synth.resources("AWS::ApiGateway::Stage").items():
        props = stage["Properties"]
        assert props["TracingEnabled"] is True, lid
        assert "AccessLogSetting" in props, lid
        settings = {s["ResourcePath"]: s for s in props["MethodSettings"]}
        assert settings.keys() == {"/*", "/~1uploads"}, settings.keys()
        for path, setting in settings.items():
            assert setting["LoggingLevel"] in ("ERROR", "INFO") and setting["DataTraceEnabled"] is False, path
        # the unauthenticated camera method has a tighter throttle of its own than the stage
        stage_wide, uploads = settings["/*"], settings["/~1uploads"]
        assert uploads["HttpMethod"] == "POST"
        assert 0 < uploads["ThrottlingRateLimit"] < stage_wide["ThrottlingRateLimit"]
        assert 0 < uploads["ThrottlingBurstLimit"] < stage_wide["ThrottlingBurstLimit"]


def test_user_pool_requires_mfa_and_admin_created_accounts(synth):
    (pool,) = synth.resources("AWS::Cognito::UserPool").values()
    props = pool["Properties"]
    assert props["MfaConfiguration"] == "ON"
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    policy = props["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(
        policy[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")
    )
    assert props["UserPoolTier"] == "PLUS" and props["UserPoolAddOns"]["AdvancedSecurityMode"] == "ENFORCED"


def test_web_client_signs_in_with_password_then_totp_without_a_secret(synth):
    # GIVEN the web apps' app client (a browser keeps no secret)
    [client] = synth.resources("AWS::Cognito::UserPoolClient").values()
    props = client["Properties"]
    # THEN public, Cognito's own API only (no OAuth / hosted UI), password or SRP, no admin flow
    assert props.get("GenerateSecret", False) is False
    assert "AllowedOAuthFlows" not in props and props.get("AllowedOAuthFlowsUserPoolClient") in (None, False)
    assert set(props["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    # AND a wrong user name reads like a wrong password; sign-in sessions and tokens are short
    assert props["PreventUserExistenceErrors"] == "ENABLED"
    assert props["AuthSessionValidity"] == 3
    assert props["IdTokenValidity"] == 60 and props["TokenValidityUnits"]["IdToken"] == "minutes"
    # AND the deployment learns the client and pool (config.json "auth", infra/deploy.sh)
    client_id = {"Ref": next(iter(synth.resources("AWS::Cognito::UserPoolClient")))}
    assert any(o["Value"] == client_id and "WebClientId" in k for k, o in synth.json["Outputs"].items())


# -- prod ---------------------------------------------------------------------------------
def test_prod_retains_data_and_protects_it_from_deletion(prod):
    # GIVEN the prod stage (removal_policy "retain")
    stateful = ("AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::KMS::Key", "AWS::Cognito::UserPool")
    for cfn_type in stateful:
        for lid, resource in prod.resources(cfn_type).items():
            # THEN a stack delete leaves the data (and its keys) in place
            assert resource.get("DeletionPolicy") == "Retain", lid
    for lid, table in prod.resources("AWS::DynamoDB::Table").items():
        assert table["Properties"]["DeletionProtectionEnabled"] is True, lid
    assert prod.stack.termination_protection is True


# -- deletes ------------------------------------------------------------------------------
def test_only_the_held_evidence_copies_can_be_deleted_by_a_function(synth):
    # GIVEN every identity policy WHEN looking for object or item deletes
    held = synth.logical_id("bucket", "HeldEvidence")
    audit = synth.logical_id("table", "AuditTrail")
    deleters = []
    for lid, document in _identity_policy_documents(synth).items():
        for s in _statements(document):
            actions = set(_as_list(s["Action"]))
            resources = str(s.get("Resource"))
            # THEN s3:DeleteObject only ever targets the held-evidence bucket (legal-hold release)
            if "s3:DeleteObject" in actions:
                deleters.append(lid)
                assert held in resources and all(
                    synth.logical_id("bucket", b.id) not in resources
                    for b in BUCKETS
                    if b.id != "HeldEvidence"
                ), (lid, s)
            # AND nothing may update or delete audit records
            if audit in resources:
                assert not actions & {
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:BatchWriteItem",
                }, (
                    lid,
                    s,
                )
    assert deleters, "the legal-hold release needs s3:DeleteObject on the held-evidence bucket"


# -- operations hardening (issue 12 #5) ---------------------------------------------------
def test_pitr_window_plus_ttl_stays_within_the_legal_limit(synth):
    from infra.stages import LEGAL_LIMIT_DAYS, STAGES, TTL_LAG_DAYS

    # GIVEN every table THEN its PITR window is the stage's, not DynamoDB's default 35 days
    for lid, table in synth.resources("AWS::DynamoDB::Table").items():
        pitr = table["Properties"]["PointInTimeRecoverySpecification"]
        assert pitr["RecoveryPeriodInDays"] == DEV.pitr_days, lid
    # AND in every stage, a read expired by TTL cannot be restored past the legal limit
    for s in STAGES.values():
        assert s.retention_days + TTL_LAG_DAYS + s.pitr_days <= LEGAL_LIMIT_DAYS, s.name


def test_a_stage_beyond_the_legal_limit_is_refused():
    import pytest

    from infra.stages import Stage

    with pytest.raises(ValueError, match="exceeds the legal"):
        Stage(name="bad", retention_days=365, pitr_days=7)
    with pytest.raises(ValueError, match="1..35"):
        Stage(name="bad", retention_days=300, pitr_days=36)


def test_alarms_reach_the_stage_subscription(synth):
    subs = synth.resources("AWS::SNS::Subscription").values()
    topic = synth.stack.get_logical_id(synth.stack.monitoring.topic.node.default_child)
    assert {(s["Properties"]["Protocol"], s["Properties"]["Endpoint"]) for s in subs if
            s["Properties"]["TopicArn"] == {"Ref": topic}} == {("email", DEV.alarm_email)}  # fmt: skip


def test_ingest_has_reserved_concurrency_and_searches_an_upper_bound(synth):
    from anpr.kernel.platform import function

    for fid in ("Ingest", "SearchTask"):
        props = synth.props(
            synth.stack.get_logical_id(synth.stack.registry.get("function", fid).node.default_child)
        )
        assert props["ReservedConcurrentExecutions"] == function(fid).reserved_concurrency > 0, fid
    # the search bound leaves ingest and the account's unreserved pool (≥ 100) room in 1,000
    assert function("Ingest").reserved_concurrency + function("SearchTask").reserved_concurrency <= 900


def test_alarms_on_oldest_message_age_and_rates_not_single_events(synth):
    alarms = list(synth.resources("AWS::CloudWatch::Alarm").values())
    ages = [a for a in alarms if a["Properties"].get("MetricName") == "ApproximateAgeOfOldestMessage"]
    work_queues = [q for q in QUEUES if not q.is_dlq]
    assert len(ages) == len(work_queues) and all(a["Properties"]["Threshold"] >= 60 for a in ages)
    rates = [a for a in alarms if "Metrics" in a["Properties"]]
    expressions = [m["Expression"] for a in rates for m in a["Properties"]["Metrics"] if "Expression" in m]
    n_functions = len(synth.stack.registry.all("function"))
    assert sum("100 * part / whole" in e for e in expressions) == 2 * n_functions  # errors and throttles
    assert not [a for a in alarms if a["Properties"].get("MetricName") == "Errors"]


def test_audit_archive_lock_mode_follows_the_stage(synth, prod):
    archive = synth.logical_id("bucket", "AuditArchive")
    for s, mode in ((synth, "GOVERNANCE"), (prod, "COMPLIANCE")):
        lock = s.props(archive)["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
        assert lock["Mode"] == mode


def test_held_evidence_is_versioned_and_object_locked(synth):
    props = synth.props(synth.logical_id("bucket", "HeldEvidence"))
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["ObjectLockEnabled"] is True
    rules = {r["Id"]: r for r in props["LifecycleConfiguration"]["Rules"]}
    assert rules["released-versions"]["NoncurrentVersionExpiration"] == {
        "NoncurrentDays": NONCURRENT_VERSION_GRACE_DAYS
    }


def test_one_stage_per_account_declares_the_api_gateway_account_role(synth):
    from infra.stages import STAGES

    owners: dict[str, list[str]] = {}
    for s in STAGES.values():
        if s.owns_account_resources:
            owners.setdefault(s.account, []).append(s.name)
    assert all(len(names) == 1 for names in owners.values()), owners
    assert len(synth.resources("AWS::ApiGateway::Account")) == (1 if DEV.owns_account_resources else 0)


def test_writers_of_the_snapshot_bucket_write_only_under_their_prefix(synth):
    # GIVEN the functions that write to the snapshot bucket (ingest: crops; camera uploads: snapshots)
    snapshots = synth.logical_id("bucket", "Snapshots")
    expected = {"Ingest": "/crops/*", "CameraUploads": "/snapshots/*"}
    for fid, suffix in expected.items():
        role = synth.stack.registry.get("function", fid).role
        role_id = synth.stack.get_logical_id(role.node.default_child)
        writes = [
            s
            for lid, doc in _identity_policy_documents(synth).items()
            if role_id in str(synth.resource(lid)["Properties"].get("Roles", ""))
            for s in _statements(doc)
            if "s3:PutObject" in _as_list(s["Action"]) and snapshots in str(s["Resource"])
        ]
        # THEN every PutObject on that bucket names the prefix
        assert writes, fid
        assert all(suffix in str(s["Resource"]) for s in writes), (fid, writes)


def test_users_cannot_widen_their_own_zone_or_unit(synth):
    # GIVEN the user pool and its app client
    [pool] = synth.resources("AWS::Cognito::UserPool").values()
    [client] = synth.resources("AWS::Cognito::UserPoolClient").values()
    # THEN the pool declares the scope attributes, the ID token carries them...
    declared = {a["Name"] for a in pool["Properties"]["Schema"]}
    assert {"zones", "unit"} <= declared
    assert {"custom:zones", "custom:unit"} <= set(client["Properties"]["ReadAttributes"])
    # ...and no user can write them (only administrators, with AdminUpdateUserAttributes)
    assert not {"custom:zones", "custom:unit"} & set(client["Properties"]["WriteAttributes"])


def test_an_overwritten_snapshot_keeps_its_original_as_long_as_the_read(synth):
    # GIVEN the snapshot bucket (a camera may post the same key twice)
    props = synth.props(synth.logical_id("bucket", "Snapshots"))
    # THEN every version is locked (governance: a privileged erasure stays possible) for the
    # reads' retention from its creation, so lifecycle cannot remove an overwritten original
    # before the read made from it expires...
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["ObjectLockEnabled"] is True
    retention = props["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    assert retention == {"Mode": "GOVERNANCE", "Days": DEV.retention_days}
    # ...and after that it goes with the usual one-day noncurrent expiry, not later
    rules = {r["Id"]: r for r in props["LifecycleConfiguration"]["Rules"]}
    assert rules["expire-with-retention"]["ExpirationInDays"] == DEV.retention_days
    assert rules["expire-with-retention"]["NoncurrentVersionExpiration"] == {
        "NoncurrentDays": NONCURRENT_VERSION_GRACE_DAYS
    }


def test_the_dashboard_shows_every_per_network_metric_by_search_not_per_network(synth):
    import json

    from anpr.networks import metrics

    # GIVEN the ops dashboard's body (a JSON string with tokens joined in)
    [dashboard] = synth.resources("AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    # THEN every per-network metric ingest emits has a SEARCH over the network dimension...
    for name in (metrics.SNAPSHOTS, metrics.QUARANTINED, metrics.CONFIDENCE, metrics.LATENCY,
                 metrics.REFUSED, metrics.SILENT, metrics.DISAGREEMENTS):  # fmt: skip
        assert f'MetricName=\\\\\\"{name}\\\\\\"' in body or f'MetricName=\\"{name}\\"' in body, name
    # ...and no network is named in it (networks are data)
    assert "brussels" not in body.lower()


def test_the_stack_carries_the_live_channel_and_the_apps_may_connect_to_it(synth):
    import json

    # GIVEN the whole stage's template
    # THEN it has the patrol app's WebSocket API and, for each configured push platform, the
    # custom resource creating its SNS platform application from its secret...
    [socket] = synth.resources("AWS::ApiGatewayV2::Api").values()
    assert socket["Properties"]["ProtocolType"] == "WEBSOCKET"
    creates = [
        json.dumps(r["Properties"]) for r in synth.resources("Custom::AWS").values()
        if "createPlatformApplication" in json.dumps(r["Properties"])
    ]  # fmt: skip
    assert len(creates) == len(DEV.push_platforms) == 2
    assert all("resolve:secretsmanager" in c for c in creates)  # credentials never in the template
    # ...and the web apps' CSP lets them open that socket (and nothing else new)
    [headers] = synth.resources("AWS::CloudFront::ResponseHeadersPolicy").values()
    csp = json.dumps(headers["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"])
    assert "wss://" in csp
