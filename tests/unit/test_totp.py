"""RFC 6238 time-based one-time passwords (local.totp): the RFC's own test vectors, the window
of accepted steps, the otpauth link and the command that prints a person's current code."""

import base64
import json

import pytest

from local import totp

#: RFC 6238 appendix B: the SHA-1 seed "12345678901234567890" and its 8-digit codes
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("at_s", "expected"), RFC_VECTORS)
def test_codes_match_the_rfc_6238_test_vectors(at_s, expected):
    # GIVEN the RFC's seed WHEN the code of that time is computed with 8 digits THEN it is the RFC's
    assert totp.code_at_step(RFC_SECRET, totp.step_of(at_s), digits=8) == expected
    # AND the 6-digit code an authenticator app shows is its last six digits
    assert totp.code(RFC_SECRET, at_s) == expected[-6:]


def test_a_code_is_accepted_one_step_either_side_and_no_further():
    secret, at_s = totp.new_secret(), 1_800_000_015.0
    step = totp.step_of(at_s)
    # GIVEN the codes of the steps around now WHEN they are checked THEN the neighbours pass...
    for offset in (-1, 0, 1):
        code = totp.code_at_step(secret, step + offset)
        assert totp.matching_step(secret, code, at_s) == step + offset
    # ...and two steps away (a minute old) does not, unless it happens to repeat a nearer code
    stale = totp.code_at_step(secret, step - 2)
    near = {totp.code_at_step(secret, step + o) for o in (-1, 0, 1)}
    assert totp.matching_step(secret, stale, at_s) is None or stale in near


@pytest.mark.parametrize("bad", ["", "12345", "1234567", "12a456", " 123456", None, 123456])
def test_malformed_codes_never_match(bad):
    assert totp.matching_step(totp.new_secret(), bad, 1_800_000_000) is None


def test_secrets_are_160_bit_base32_and_differ():
    a, b = totp.new_secret(), totp.new_secret()
    assert a != b and len(base64.b32decode(a + "=" * (-len(a) % 8))) == 20


def test_otpauth_link_names_the_account_and_the_parameters():
    uri = totp.otpauth_uri("JBSWY3DPEHPK3PXP", "officer.dubois")
    assert uri.startswith("otpauth://totp/ANPR%3Aofficer.dubois?secret=JBSWY3DPEHPK3PXP&issuer=ANPR")
    assert "digits=6" in uri and "period=30" in uri and "algorithm=SHA1" in uri


def test_the_command_prints_a_persons_current_code(tmp_path, capsys):
    # GIVEN this run's secrets file WHEN the command is asked for a person THEN their current code
    secret = totp.new_secret()
    kept = tmp_path / "totp.json"
    kept.write_text(json.dumps({"officer.dubois": secret}))
    assert totp.main(["officer.dubois"], clock=lambda: 1_800_000_007.0, secrets_file=kept) == 0
    out = capsys.readouterr().out
    assert out.startswith(totp.code(secret, 1_800_000_007.0)) and "23 s" in out
    # AND a name that is neither a person nor a secret is refused, saying why
    assert totp.main(["nobody.here"], secrets_file=kept) == 2
    assert "neither" in capsys.readouterr().err
