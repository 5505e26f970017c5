"""Typed settings for every draas process, from environment variables and an optional file.

Where a value comes from, strongest first:
  1. the service's environment variable, e.g. DRAAS_METADATA_PORT;
  2. for settings shared by a site's processes (site, state_dir, log_level, log_format and
     the tls_* files), the site-wide variable, e.g. DRAAS_SITE;
  3. the settings file (TOML; `--config FILE` or DRAAS_CONFIG_FILE): the [<service>] table,
     over the [common] table;
  4. the default.
Settings are validated when a process starts; `load_settings` raises `SettingsError` naming
every bad setting and where it can be set, never showing a secret's value.
"""

from __future__ import annotations

import contextvars
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    FilePath,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from common.errors import DraasError
from common.logs import register_secret
from common.tls import ClientTls, TlsFiles

CONFIG_FILE_VARIABLE = "DRAAS_CONFIG_FILE"
SHARED_SETTINGS = frozenset(
    {"site", "state_dir", "log_level", "log_format", "tls_ca_file", "tls_cert_file", "tls_key_file"}
)
_TLS_FILES = ("tls_ca_file", "tls_cert_file", "tls_key_file")
_SECRET_WORDS = ("token", "password", "secret")

_settings_file: contextvars.ContextVar[Path | None] = contextvars.ContextVar(
    "draas_settings_file", default=None
)
_ADDRESS = re.compile(r"^(?P<host>\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(?P<port>\d{1,5})$")


def _check_address(value: str) -> str:
    match = _ADDRESS.match(value)
    if not match or not 0 < int(match["port"]) <= 65535:
        raise ValueError("must be host:port, e.g. 127.0.0.1:50051")
    return value


GrpcAddress = Annotated[str, AfterValidator(_check_address)]
"""A gRPC target, host:port."""


class SettingsError(DraasError):
    """Settings that a process cannot start with; the message names each bad setting."""


class ServiceSettings(BaseSettings):
    """Settings every draas service has. A service subclasses it, sets `service_name` and adds
    its own fields."""

    service_name: ClassVar[str] = "service"

    model_config = SettingsConfigDict(extra="forbid", frozen=True, validate_default=True)

    site: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]{0,62}$",
        description="This site's name, e.g. site-a: lower-case letters, digits and dashes.",
    )
    listen_host: str = Field("127.0.0.1", description="Address the gRPC server binds to.")
    port: int = Field(0, ge=0, le=65535, description="gRPC port; 0 picks a free one.")
    port_file: Path | None = Field(
        None, description="Where to write the bound port once serving (for launchers)."
    )
    metrics_port: int | None = Field(
        None,
        ge=0,
        le=65535,
        description="Port of the Prometheus /metrics endpoint (plain HTTP on listen_host); 0 "
        "picks a free one, written beside port_file as <name>.metrics-port; unset, none is "
        "served. The gateway serves /metrics on its own port and does not read it.",
    )
    state_dir: Path = Field(Path("var"), description="Where embedded state (SQLite) lives.")
    database_url: SecretStr | None = Field(
        None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db; "
        "unset for SQLite under state_dir.",
    )
    db_auto_migrate: bool = Field(True, description="Apply migrations at start.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    max_workers: int = Field(32, ge=1, le=1024, description="gRPC handler threads.")
    shutdown_grace_seconds: float = Field(
        10.0, gt=0, le=600, description="How long in-flight calls get to finish on SIGTERM."
    )
    tls_ca_file: FilePath | None = Field(
        None,
        description="With tls_cert_file and tls_key_file, every gRPC server and channel of the "
        "process uses mutual TLS (common.tls): the CA that signed every draas certificate (PEM).",
    )
    tls_cert_file: FilePath | None = Field(
        None, description="This process's certificate (PEM), naming its site as a DNS name."
    )
    tls_key_file: FilePath | None = Field(
        None, description="The certificate's private key (PEM); read, never logged."
    )

    @field_validator("tls_key_file")
    @classmethod
    def _tls_files_together(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if any(name not in info.data for name in _TLS_FILES[:-1]):
            return value  # a bad one is named already
        given = [info.data[name] is not None for name in _TLS_FILES[:-1]] + [value is not None]
        if any(given) and not all(given):
            raise ValueError(
                "tls_ca_file, tls_cert_file and tls_key_file go together: set all three for "
                "mutual TLS, or none"
            )
        return value

    def grpc_tls(self) -> TlsFiles | None:
        """This process's certificate, key and CA; None when its gRPC runs without TLS."""
        if self.tls_ca_file is None or self.tls_cert_file is None or self.tls_key_file is None:
            return None
        return TlsFiles(
            cert_file=self.tls_cert_file, key_file=self.tls_key_file, ca_file=self.tls_ca_file
        )

    def client_tls(self, site: str | None = None) -> ClientTls | None:
        """How this process's channels to a service of `site` (default: this site) authenticate;
        None without TLS."""
        files = self.grpc_tls()
        return None if files is None else ClientTls(files, site or self.site)

    def database_url_value(self) -> str:
        """The database URL to connect to: the configured one, or this service's SQLite file."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        path = (self.state_dir / self.site / f"{self.service_name}.sqlite3").resolve()
        return f"sqlite:///{path}"

    @classmethod
    def env_variable(cls, field: str) -> str:
        """The service's environment variable for a setting."""
        return f"DRAAS_{cls.service_name.upper()}_{field.upper()}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            EnvSettingsSource(settings_cls, env_prefix=f"DRAAS_{cls.service_name.upper()}_"),
            _SharedEnvSource(settings_cls, env_prefix="DRAAS_"),
            _FileSource(settings_cls, cls.service_name),
        )


class _SharedEnvSource(EnvSettingsSource):
    """Site-wide variables (DRAAS_SITE, ...), for the shared settings only."""

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in super().__call__().items() if k in SHARED_SETTINGS}


class _FileSource(PydanticBaseSettingsSource):
    """The [common] and [<service>] tables of the settings file, the latter winning."""

    def __init__(self, settings_cls: type[BaseSettings], service: str) -> None:
        super().__init__(settings_cls)
        self.service = service

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        raise NotImplementedError  # __call__ reads the whole file at once

    def __call__(self) -> dict[str, Any]:
        path = _settings_file.get()
        if path is None:
            return {}
        try:
            document = tomllib.loads(path.read_text())
        except OSError as error:
            raise SettingsError(f"settings file {path}: cannot read it: {error.strerror}") from None
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"settings file {path}: not valid TOML: {error}") from None
        for key, value in document.items():
            if not isinstance(value, dict):
                raise SettingsError(
                    f"settings file {path}: '{key}' must be inside a [common] or "
                    f"[{self.service}] table"
                )
        common = document.get("common", {})
        for key in common:
            if key not in ServiceSettings.model_fields:
                raise SettingsError(
                    f"settings file {path}: '{key}' in [common] is not a setting every service "
                    "has; put it in the table of the service that uses it"
                )
        return {**common, **document.get(self.service, {})}


S = TypeVar("S", bound=ServiceSettings)


def load_settings(settings_cls: type[S], config_file: Path | None = None) -> S:
    """Reads and validates a service's settings from the environment and the settings file,
    and registers its secrets for masking.

    :param config_file: the settings file; defaults to $DRAAS_CONFIG_FILE when set.
    :raises SettingsError: naming every bad setting and where it can be set.
    """
    if config_file is None and os.environ.get(CONFIG_FILE_VARIABLE):
        config_file = Path(os.environ[CONFIG_FILE_VARIABLE])
    token = _settings_file.set(config_file)
    try:
        settings = settings_cls()
    except ValidationError as error:
        raise SettingsError(_describe(error, settings_cls)) from None
    finally:
        _settings_file.reset(token)
    _register_secrets(settings)
    return settings


def _describe(error: ValidationError, settings_cls: type[ServiceSettings]) -> str:
    problems = []
    for item in error.errors():
        location = [str(part) for part in item["loc"]] or ["?"]
        field = location[0]
        path = field + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in location[1:])
        if item["type"] == "extra_forbidden":
            problems.append(
                f"unknown setting '{path}' in the settings file "
                f"(table [{settings_cls.service_name}] or [common])"
            )
            continue
        places = [settings_cls.env_variable(field)]
        if field in SHARED_SETTINGS:
            places.append(f"DRAAS_{field.upper()}")
        places.append(f"'{field}' in the settings file")
        secret = _is_secret(settings_cls, field) or any(
            word in part for part in location for word in _SECRET_WORDS
        )
        shown = "" if secret or item["type"] == "missing" else f" (got {item['input']!r})"
        problems.append(
            f"invalid setting '{path}' (set by {', '.join(places)}): {item['msg']}{shown}"
        )
    return "; ".join(problems)


def _is_secret(settings_cls: type[ServiceSettings], field: str) -> bool:
    info = settings_cls.model_fields.get(field)
    return info is not None and "SecretStr" in str(info.annotation)


def _secret_parts(secret: str) -> list[str]:
    """What of a secret setting to mask: of a URL (a database's), its password and the query
    values that name secrets, so that where it points stays readable in logs; else all of it."""
    try:
        url = make_url(secret)
    except ArgumentError:
        return [secret]
    parts = [url.password] if url.password else []
    for key, values in url.query.items():
        if any(word in key.lower() for word in _SECRET_WORDS):
            parts += [values] if isinstance(values, str) else list(values)
    return [str(part) for part in parts]


def _register_secrets(value: object) -> None:
    """Registers every SecretStr in the settings, however deeply nested, for masking."""
    if isinstance(value, SecretStr):
        for part in _secret_parts(value.get_secret_value()):
            register_secret(part)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _register_secrets(getattr(value, name))
    elif isinstance(value, list | tuple):
        for element in value:
            _register_secrets(element)
    elif isinstance(value, dict):
        for element in value.values():
            _register_secrets(element)
