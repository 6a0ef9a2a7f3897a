"""HTTPS between counter and headquarters: a company's own certificate authority.

HQ serves with ``--tls-cert``/``--tls-key`` (the context ``sync-server serve`` builds); a counter
given the company's CA (``server_ca``) enrols and syncs over HTTPS; a counter that does not trust
the certificate sends nothing, says why in words, and stores nothing.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from feetui.clock import FixedClock
from feetui.i18n import _, set_language
from feetui.sync.client import SyncError
from feetui.sync.enrolment import enroll_device
from feetui.sync.service import SyncService, find_target
from sync_server.app import create_app
from sync_server.cli import server_tls_context
from sync_server.settings import Settings
from tests.sync.counters import Counter, publish_community
from tests.sync.hq import LiveHq


@dataclass(frozen=True)
class Pki:
    ca: Path
    other_ca: Path
    cert: Path
    key: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _authority(common: str, now: datetime) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(_name(common)).issuer_name(_name(common))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                          content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, encipher_only=False,
                          decipher_only=False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    return key, cert


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A company CA, an HQ certificate it signed for 127.0.0.1, and an unrelated CA."""
    folder = tmp_path_factory.mktemp("pki")
    now = datetime.now(UTC)
    ca_key, ca = _authority("示范物业 CA", now)
    _other_key, other = _authority("Someone else's CA", now)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(_name("hq")).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    paths = Pki(folder / "ca.pem", folder / "other.pem", folder / "hq.pem", folder / "hq.key")
    paths.ca.write_bytes(_pem(ca))
    paths.other_ca.write_bytes(_pem(other))
    paths.cert.write_bytes(_pem(cert))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


class TlsHq(LiveHq):
    """The real server app behind the HTTPS context ``sync-server serve --tls-*`` builds."""

    def __init__(self, db_url: str, pki: Pki) -> None:
        super().__init__(db_url)
        self.settings = Settings(db=db_url, tls_cert=str(pki.cert), tls_key=str(pki.key))

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.runner = web.AppRunner(create_app(self.settings, clock=self.clock))
        await self.runner.setup()
        context = server_tls_context(self.settings)
        await web.TCPSite(self.runner, "127.0.0.1", self.port, ssl_context=context).start()


@pytest.fixture
async def hq(tmp_path: Path, pki: Pki):
    server = TlsHq(f"sqlite:///{tmp_path / 'hq.sqlite3'}", pki)
    await server.start()
    await server.add_site("S1", "绿景苑")
    yield server
    await server.stop()


@pytest.fixture
async def counter(tmp_path: Path, db_template: Path):
    one = Counter(tmp_path / "c.sqlite3", FixedClock(datetime.now(UTC)), "window-1",
                  template=db_template)  # fmt: skip
    await one.open()
    yield one
    await one.close()


async def _enroll(counter: Counter, hq: TlsHq, code: str, ca_file: str) -> None:
    async def go() -> None:
        await enroll_device(server=hq.url, code=code, name="window-1", ca_file=ca_file)
        counter.target = await find_target("", ca_file)

    await counter.run(go())


async def _token(counter: Counter) -> str:
    rows = await counter.query("SELECT sync_token FROM device")
    return rows[0][0] or ""


async def test_a_counter_given_the_company_ca_enrols_and_syncs_over_https(
    hq: TlsHq, counter: Counter, pki: Pki
) -> None:
    community = await publish_community(hq, counter.svc.ids, units=2, charges_per_unit=1)
    await _enroll(counter, hq, await hq.enrollment_code(), str(pki.ca))
    assert counter.target.server.startswith("https://")
    await counter.sync()
    await counter.open_shift(community.cashier_id)
    unit = community.units[0]
    await counter.pay(unit, community.cashier_id, 10_000)
    report = await counter.sync()
    assert report.push.created >= 1
    stored = await hq.rows("SELECT device_id, kind FROM journal WHERE kind = 'payment'")
    assert [(r["device_id"], r["kind"]) for r in stored] == [(counter.device_id, "payment")]


@pytest.mark.parametrize("trust", ["system only", "another CA"])
async def test_an_untrusted_certificate_is_refused_in_words_and_nothing_is_stored(
    hq: TlsHq, counter: Counter, pki: Pki, trust: str
) -> None:
    set_language("zh_CN")
    code = await hq.enrollment_code()
    ca_file = "" if trust == "system only" else str(pki.other_ca)
    with pytest.raises(SyncError) as refused:
        await _enroll(counter, hq, code, ca_file)
    error = refused.value
    assert error.code == "server_certificate" and error.transient
    said = _(error.message).format(**error.params)
    assert "证书" in said and "server_ca" in said, said
    assert "certificate" in error.params["reason"].lower(), error.params
    assert await _token(counter) == ""
    # Nothing reached HQ: the same code still enrols once the counter trusts the CA.
    await _enroll(counter, hq, code, str(pki.ca))
    assert await _token(counter) != ""


async def test_a_ca_file_that_cannot_be_read_is_named(
    hq: TlsHq, counter: Counter, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.pem"
    with pytest.raises(SyncError) as refused:
        await _enroll(counter, hq, await hq.enrollment_code(), str(missing))
    assert refused.value.code == "ca_file_unreadable"
    assert refused.value.params["path"] == str(missing)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(SyncError) as refused:
        await _enroll(counter, hq, await hq.enrollment_code(), str(garbage))
    assert refused.value.code == "ca_file_unreadable"
    assert await _token(counter) == ""


async def test_a_running_service_reports_the_certificate_and_keeps_the_outbox(
    hq: TlsHq, counter: Counter, pki: Pki
) -> None:
    community = await publish_community(hq, counter.svc.ids, units=1, charges_per_unit=1)
    await _enroll(counter, hq, await hq.enrollment_code(), str(pki.ca))
    await counter.sync()
    await counter.open_shift(community.cashier_id)
    await counter.pay(community.units[0], community.cashier_id, 10_000)
    distrusting = SyncService(replace(counter.target, ca_file=str(pki.other_ca)), counter.clock)
    try:
        with pytest.raises(SyncError) as refused:
            await counter.run(distrusting.sync_once())
    finally:
        await distrusting.close()
    assert refused.value.code == "server_certificate"
    assert await hq.scalar("SELECT count(*) FROM journal WHERE kind = 'payment'") == 0
    report = await counter.sync()
    assert report.push.created >= 1
    assert await hq.scalar("SELECT count(*) FROM journal WHERE kind = 'payment'") == 1
