"""How the client authenticates, checked on the wire: SigV4 requests recorded by a local
HTTP listener and their signatures recomputed with botocore, basic-auth credentials read
from Secrets Manager on the moto server, and TLS certificates verified."""

from __future__ import annotations

import base64
import datetime
import json
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from opensearchpy.exceptions import SSLError

from tests.fixtures.moto import AwsEnv
from worker.config import Settings
from worker.errors import ConfigurationError
from worker.search.client import connect

pytestmark = [pytest.mark.integration]


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Listener:
    port: int
    requests: list[Recorded] = field(default_factory=list)


def _serve(tls: ssl.SSLContext | None = None) -> Iterator[Listener]:
    recorded: list[Recorded] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            recorded.append(Recorded(self.command, self.path,
                                     {k.lower(): v for k, v in self.headers.items()},
                                     self.rfile.read(length)))
            payload = json.dumps({"version": {"number": "2.19.1"}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Listener(server.server_address[1], recorded)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    yield from _serve()


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> Credentials:
    creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG", "session-token-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds.secret_key)
    monkeypatch.setenv("AWS_SESSION_TOKEN", str(creds.token))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return creds


def _recomputed_signature(request: Recorded, port: int, creds: Credentials, service: str,
                          region: str) -> str:
    """What a correct SigV4 signer would have put in this request's Authorization header."""
    authorization = request.headers["authorization"]
    signed = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
    replay = AWSRequest(method=request.method, url=f"http://127.0.0.1:{port}{request.path}",
                        data=request.body,
                        headers={name: request.headers[name] for name in signed})
    replay.context["timestamp"] = request.headers["x-amz-date"]
    signer = SigV4Auth(creds, service, region)
    string_to_sign = signer.string_to_sign(replay, signer.canonical_request(replay))
    return signer.signature(string_to_sign, replay)


@pytest.mark.parametrize("service", ["es", "aoss"])
def test_sigv4_requests_carry_a_valid_signature(listener: Listener,
                                                aws_credentials: Credentials,
                                                service: str) -> None:
    settings = Settings.from_env({"OPENSEARCH_ENDPOINT": f"http://127.0.0.1:{listener.port}",
                                  "OPENSEARCH_AUTH": "sigv4", "AWS_REGION": "ap-northeast-1"})
    client = connect(settings, service=service)
    client.info()
    client.search(index="cis-files", body={"query": {"match": {"content": "請求書"}}})
    today = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d")
    assert len(listener.requests) == 2
    for request in listener.requests:
        authorization = request.headers["authorization"]
        assert authorization.startswith(
            f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{today}/ap-northeast-1/{service}/"
            "aws4_request")
        assert request.headers["x-amz-security-token"] == "session-token-1"
        signature = authorization.rsplit("Signature=", 1)[1]
        assert signature == _recomputed_signature(request, listener.port, aws_credentials,
                                                  service, "ap-northeast-1")
    assert "請求書" in listener.requests[1].body.decode()


def test_basic_auth_comes_from_secrets_manager(listener: Listener, aws: AwsEnv) -> None:
    aws.client("secretsmanager").create_secret(
        Name="cis/opensearch", SecretString=json.dumps({"username": "indexer",
                                                        "password": "s3cr3t:!@#"}))
    env = {**aws.environ, "OPENSEARCH_ENDPOINT": f"http://127.0.0.1:{listener.port}",
           "OPENSEARCH_AUTH": "basic", "OPENSEARCH_SECRET_ID": "cis/opensearch"}
    connect(Settings.from_env(env)).info()
    scheme, token = listener.requests[0].headers["authorization"].split(" ", 1)
    assert scheme == "Basic"
    assert base64.b64decode(token).decode() == "indexer:s3cr3t:!@#"


def test_basic_auth_injected_by_ecs_secrets_needs_no_secrets_manager_call(
        listener: Listener) -> None:
    # ECS resolves the secret before the container starts; an unreachable Secrets Manager
    # endpoint proves the worker does not ask for it again.
    env = {"OPENSEARCH_ENDPOINT": f"http://127.0.0.1:{listener.port}", "OPENSEARCH_AUTH": "basic",
           "OPENSEARCH_USERNAME": "indexer", "OPENSEARCH_PASSWORD": "from-ecs",
           "OPENSEARCH_SECRET_ID": "cis/opensearch", "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
           "AWS_REGION": "ap-northeast-1"}
    settings = Settings.from_env(env)
    assert "from-ecs" not in repr(settings)
    connect(settings).info()
    scheme, token = listener.requests[0].headers["authorization"].split(" ", 1)
    assert (scheme, base64.b64decode(token).decode()) == ("Basic", "indexer:from-ecs")


def test_basic_auth_without_a_usable_secret_is_a_configuration_error(aws: AwsEnv) -> None:
    env = {**aws.environ, "OPENSEARCH_ENDPOINT": "http://127.0.0.1:9", "OPENSEARCH_AUTH": "basic"}
    with pytest.raises(ConfigurationError, match="OPENSEARCH_SECRET_ID"):
        connect(Settings.from_env(env))
    with pytest.raises(ConfigurationError, match="ResourceNotFoundException"):
        connect(Settings.from_env({**env, "OPENSEARCH_SECRET_ID": "missing"}))
    aws.client("secretsmanager").create_secret(Name="plain", SecretString="hunter2")
    with pytest.raises(ConfigurationError, match="username and password"):
        connect(Settings.from_env({**env, "OPENSEARCH_SECRET_ID": "plain"}))


def _self_signed(folder: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


def test_an_untrusted_certificate_is_refused(tmp_path: Path) -> None:
    for server in _serve(_self_signed(tmp_path)):
        settings = Settings.from_env({"OPENSEARCH_ENDPOINT": f"https://127.0.0.1:{server.port}",
                                      "OPENSEARCH_AUTH": "none"})
        with pytest.raises(SSLError):
            connect(settings).info()
        assert server.requests == []
