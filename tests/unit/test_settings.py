from pathlib import Path

import pytest

from common.logs import mask
from common.settings import SettingsError, load_settings
from services.metadata.settings import MetadataSettings
from services.orchestrator.settings import OrchestratorSettings


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_service_variable_wins_over_site_variable(monkeypatch):
    monkeypatch.setenv("DRAAS_SITE", "site-a")
    monkeypatch.setenv("DRAAS_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("DRAAS_METADATA_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("DRAAS_METADATA_PORT", "50061")
    settings = load_settings(MetadataSettings)
    assert (settings.site, settings.log_level, settings.port) == ("site-a", "DEBUG", 50061)


def test_site_variable_does_not_set_service_only_settings(monkeypatch):
    monkeypatch.setenv("DRAAS_SITE", "site-a")
    monkeypatch.setenv("DRAAS_PORT", "50061")
    assert load_settings(MetadataSettings).port == 0


def test_file_service_table_wins_over_common_and_environment_over_file(tmp_path, monkeypatch):
    config = write(
        tmp_path / "site.toml",
        '[common]\nsite = "site-b"\nport = 1\nlog_level = "ERROR"\n'
        "[metadata]\nport = 50061\n[storage]\nport = 50062\n",
    )
    monkeypatch.setenv("DRAAS_METADATA_LOG_LEVEL", "DEBUG")
    settings = load_settings(MetadataSettings, config)
    assert (settings.site, settings.port, settings.log_level) == ("site-b", 50061, "DEBUG")


def test_file_from_environment_variable(tmp_path, monkeypatch):
    config = write(tmp_path / "site.toml", '[common]\nsite = "site-c"\n')
    monkeypatch.setenv("DRAAS_CONFIG_FILE", str(config))
    assert load_settings(MetadataSettings).site == "site-c"


def test_bad_value_names_the_setting_and_where_to_set_it(monkeypatch):
    monkeypatch.setenv("DRAAS_SITE", "site-a")
    monkeypatch.setenv("DRAAS_METADATA_PORT", "fifty")
    with pytest.raises(SettingsError) as raised:
        load_settings(MetadataSettings)
    message = str(raised.value)
    assert "'port'" in message
    assert "DRAAS_METADATA_PORT" in message
    assert "'fifty'" in message


def test_out_of_range_port_is_refused(monkeypatch):
    monkeypatch.setenv("DRAAS_SITE", "site-a")
    monkeypatch.setenv("DRAAS_METADATA_PORT", "70000")
    with pytest.raises(SettingsError, match=r"DRAAS_METADATA_PORT.*less than or equal to 65535"):
        load_settings(MetadataSettings)


def test_missing_required_settings_are_all_named(monkeypatch):
    monkeypatch.setenv("DRAAS_SITE", "site-a")
    monkeypatch.setenv("DRAAS_ORCHESTRATOR_METADATA_ADDRESS", "127.0.0.1:50061")
    with pytest.raises(SettingsError) as raised:
        load_settings(OrchestratorSettings)
    message = str(raised.value)
    assert "DRAAS_ORCHESTRATOR_STORAGE_ADDRESS" in message
    assert "DRAAS_ORCHESTRATOR_COMPUTE_ADDRESS" in message
    assert "METADATA_ADDRESS" not in message


def test_missing_site_names_both_variables():
    with pytest.raises(SettingsError) as raised:
        load_settings(MetadataSettings)
    assert "DRAAS_METADATA_SITE" in str(raised.value)
    assert "DRAAS_SITE" in str(raised.value)


@pytest.mark.parametrize("address", ["nonsense", "127.0.0.1", "127.0.0.1:0", "host:99999", ":80"])
def test_bad_address_is_refused(monkeypatch, address):
    monkeypatch.setenv("DRAAS_SITE", "site-a")
    monkeypatch.setenv("DRAAS_ORCHESTRATOR_METADATA_ADDRESS", address)
    monkeypatch.setenv("DRAAS_ORCHESTRATOR_STORAGE_ADDRESS", "127.0.0.1:2")
    monkeypatch.setenv("DRAAS_ORCHESTRATOR_COMPUTE_ADDRESS", "127.0.0.1:3")
    with pytest.raises(SettingsError, match=r"DRAAS_ORCHESTRATOR_METADATA_ADDRESS.*host:port"):
        load_settings(OrchestratorSettings)


def test_bad_site_name(monkeypatch):
    monkeypatch.setenv("DRAAS_SITE", "Site A")
    with pytest.raises(SettingsError, match=r"'site'.*DRAAS_SITE"):
        load_settings(MetadataSettings)


def test_unknown_key_in_file_is_named(tmp_path):
    config = write(tmp_path / "site.toml", '[metadata]\nsite = "a"\nprot = 5\n')
    with pytest.raises(SettingsError, match="unknown setting 'prot'"):
        load_settings(MetadataSettings, config)


def test_common_table_takes_only_settings_every_service_has(tmp_path):
    config = write(tmp_path / "site.toml", '[common]\nsite = "a"\nmetadata_address = "h:1"\n')
    with pytest.raises(SettingsError, match="'metadata_address' in \\[common\\] is not a setting"):
        load_settings(MetadataSettings, config)


def test_top_level_key_in_file_is_refused(tmp_path):
    config = write(tmp_path / "site.toml", 'site = "a"\n')
    with pytest.raises(
        SettingsError, match="'site' must be inside a \\[common\\] or \\[metadata\\]"
    ):
        load_settings(MetadataSettings, config)


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(SettingsError, match="cannot read it"):
        load_settings(MetadataSettings, tmp_path / "missing.toml")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(MetadataSettings, write(tmp_path / "bad.toml", "[common\n"))


def test_invalid_secret_is_not_shown(tmp_path):
    config = write(
        tmp_path / "site.toml",
        '[metadata]\nsite = "a"\ndatabase_url = ["postgresql://u:hunter2-secret@db/x"]\n',
    )
    with pytest.raises(SettingsError) as raised:
        load_settings(MetadataSettings, config)
    assert "database_url" in str(raised.value)
    assert "hunter2-secret" not in str(raised.value)


def test_secret_settings_are_masked_from_then_on(monkeypatch):
    monkeypatch.setenv("DRAAS_SITE", "site-a")
    monkeypatch.setenv(
        "DRAAS_METADATA_DATABASE_URL", "postgresql+psycopg://draas:Zebra-Lamp-42@db.example/draas"
    )
    settings = load_settings(MetadataSettings)
    assert "Zebra-Lamp-42" not in repr(settings)
    assert mask("connecting with Zebra-Lamp-42 now") == "connecting with *** now"


def test_of_a_database_url_only_its_secrets_are_masked_so_logs_still_say_where(monkeypatch):
    monkeypatch.setenv("DRAAS_SITE", "site-a")
    monkeypatch.setenv(
        "DRAAS_METADATA_DATABASE_URL",
        "postgresql+psycopg://draas@db.example/draas?sslpassword=Heron-Vault-19&sslmode=require",
    )
    load_settings(MetadataSettings)
    assert mask("database postgresql+psycopg://draas@db.example/draas") == (
        "database postgresql+psycopg://draas@db.example/draas"
    )
    assert mask("key Heron-Vault-19") == "key ***"
    assert "sslmode=require" in mask("?sslmode=require")


def test_default_database_is_a_sqlite_file_per_site_and_service(tmp_path, monkeypatch):
    monkeypatch.setenv("DRAAS_SITE", "site-a")
    monkeypatch.setenv("DRAAS_STATE_DIR", str(tmp_path))
    url = load_settings(MetadataSettings).database_url_value()
    assert url == f"sqlite:///{tmp_path.resolve()}/site-a/metadata.sqlite3"


ORCHESTRATOR_TOML = (
    '[orchestrator]\nsite = "site-a"\nmetadata_address = "h:1"\nstorage_address = "h:2"\n'
    'compute_address = "h:3"\n'
)


def test_orchestrator_limits_given_in_part_keep_the_other_defaults(tmp_path):
    config = write(tmp_path / "site.toml", ORCHESTRATOR_TOML + "limits = { nova = 25 }\n")
    limits = load_settings(OrchestratorSettings, config).limits
    assert limits == {"array": 4, "cinder": 10, "neutron": 10, "nova": 25, "verify": 50}


@pytest.mark.parametrize(
    ("limits", "error"),
    [("{ nvoa = 3 }", "unknown limits \\['nvoa'\\]"), ("{ nova = 0 }", "at least 1")],
)
def test_orchestrator_bad_limits_are_named(tmp_path, limits, error):
    config = write(tmp_path / "site.toml", ORCHESTRATOR_TOML + f"limits = {limits}\n")
    with pytest.raises(SettingsError, match=error):
        load_settings(OrchestratorSettings, config)


def tls_files(directory: Path) -> dict[str, Path]:
    """Three files standing in for a CA, a certificate and a key (only their paths are read)."""
    return {name: write(directory / name, "pem") for name in ("ca.pem", "cert.pem", "key.pem")}


def test_tls_files_are_site_wide_and_a_service_may_name_its_own_certificate(tmp_path, monkeypatch):
    files = tls_files(tmp_path)
    monkeypatch.setenv("DRAAS_SITE", "site-a")
    monkeypatch.setenv("DRAAS_TLS_CA_FILE", str(files["ca.pem"]))
    monkeypatch.setenv("DRAAS_TLS_CERT_FILE", str(tmp_path / "site.pem"))
    monkeypatch.setenv("DRAAS_TLS_KEY_FILE", str(files["key.pem"]))
    monkeypatch.setenv("DRAAS_METADATA_TLS_CERT_FILE", str(files["cert.pem"]))
    settings = load_settings(MetadataSettings)
    tls = settings.grpc_tls()
    assert tls is not None
    assert (tls.ca_file, tls.cert_file, tls.key_file) == (
        files["ca.pem"],
        files["cert.pem"],
        files["key.pem"],
    )
    assert settings.client_tls().site == "site-a"
    assert settings.client_tls("site-b").site == "site-b"


def test_tls_files_in_the_common_table(tmp_path):
    files = tls_files(tmp_path)
    config = write(
        tmp_path / "site.toml",
        '[common]\nsite = "site-a"\n'
        + "".join(
            f'tls_{k}_file = "{files[f]}"\n'
            for k, f in [("ca", "ca.pem"), ("cert", "cert.pem"), ("key", "key.pem")]
        ),
    )
    assert load_settings(MetadataSettings, config).grpc_tls() is not None


def test_without_tls_files_grpc_runs_without_tls(monkeypatch):
    monkeypatch.setenv("DRAAS_SITE", "site-a")
    settings = load_settings(MetadataSettings)
    assert settings.grpc_tls() is None and settings.client_tls() is None


def test_tls_files_go_together(tmp_path, monkeypatch):
    files = tls_files(tmp_path)
    monkeypatch.setenv("DRAAS_SITE", "site-a")
    monkeypatch.setenv("DRAAS_TLS_CA_FILE", str(files["ca.pem"]))
    monkeypatch.setenv("DRAAS_TLS_CERT_FILE", str(files["cert.pem"]))
    with pytest.raises(SettingsError) as raised:
        load_settings(MetadataSettings)
    message = str(raised.value)
    assert "'tls_key_file'" in message and "DRAAS_TLS_KEY_FILE" in message
    assert "tls_ca_file, tls_cert_file and tls_key_file go together" in message


def test_a_tls_file_that_does_not_exist_is_named(tmp_path, monkeypatch):
    files = tls_files(tmp_path)
    monkeypatch.setenv("DRAAS_SITE", "site-a")
    monkeypatch.setenv("DRAAS_TLS_CA_FILE", str(files["ca.pem"]))
    monkeypatch.setenv("DRAAS_TLS_CERT_FILE", str(files["cert.pem"]))
    monkeypatch.setenv("DRAAS_TLS_KEY_FILE", str(tmp_path / "missing.key"))
    with pytest.raises(
        SettingsError, match=r"'tls_key_file'.*DRAAS_TLS_KEY_FILE.*not point to a file"
    ):
        load_settings(MetadataSettings)
