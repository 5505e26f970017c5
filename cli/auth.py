"""Everything that touches OpenStack: credentials as the `openstack` command takes them (--os-*
options, OS_* variables, clouds.yaml, all through openstacksdk's config loader), the Keystone
token, the gateway's URL from the service catalog, and server names looked up in Nova.

openstacksdk is imported only when a command needs Keystone, so that help and usage errors
stay quick."""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import yaml

from cli.errors import CliError, Unreachable

SERVICE_TYPE = "disaster-recovery"
HOW_TO_AUTHENTICATE = (
    "set OS_CLOUD to a cloud of clouds.yaml (or pass --os-cloud), or set OS_AUTH_URL, "
    "OS_USERNAME, OS_PASSWORD and OS_PROJECT_NAME (or the matching --os-* options); "
    "or pass --os-token with --draas-url to skip Keystone"
)
KEYSTONE_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Credentials:
    """What the command line and the environment say about how to authenticate; None where
    they say nothing (clouds.yaml or openstacksdk's own defaults then apply)."""

    cloud: str | None = None
    auth_url: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    project_name: str | None = None
    user_domain_name: str | None = None
    project_domain_name: str | None = None
    region_name: str | None = None
    token: str | None = field(default=None, repr=False)
    draas_url: str | None = None
    cacert: str | None = None
    insecure: bool = False

    def sdk_options(self) -> dict[str, Any]:
        """The options to hand openstacksdk's config loader (they win over clouds.yaml)."""
        names = (
            "auth_url",
            "username",
            "password",
            "project_name",
            "user_domain_name",
            "project_domain_name",
            "region_name",
            "cacert",
        )
        options: dict[str, Any] = {n: getattr(self, n) for n in names if getattr(self, n)}
        if self.insecure:
            options["insecure"] = True
        if self.token:
            options.update(auth_type="token", token=self.token)
        return options

    def verify(self) -> bool | str:
        """How to verify the gateway's certificate without a cloud's configuration."""
        if self.insecure:
            return False
        return self.cacert or True

    def redact(self, message: str) -> str:
        """`message` without the password or token, should a library have quoted them."""
        for secret in (self.password, self.token):
            if secret:
                message = message.replace(secret, "***")
        return message


@dataclass
class Session:
    """An authenticated caller: the token, the gateway's URL and how to verify it, and the
    cloud it came from (None when --os-token and --draas-url skipped Keystone)."""

    token: str = field(repr=False)
    gateway_url: str
    verify: bool | str = True
    cloud: Any = field(default=None, repr=False)

    def server_ids(self, name: str) -> list[str]:
        """The ids of the project's Nova servers named exactly `name`."""
        if self.cloud is None:
            raise CliError(
                f"{name!r} is not a server id, and server names are looked up through Keystone "
                "(skipped with --os-token and --draas-url): give the server's id"
            )
        from keystoneauth1 import exceptions as ks  # noqa: PLC0415
        from openstack import connection  # noqa: PLC0415
        from openstack import exceptions as sdk  # noqa: PLC0415

        # Nova matches names as regular expressions, so ask for this one name exactly.
        pattern = f"^{re.escape(name)}$"
        try:
            with _quiet():
                compute = connection.Connection(config=self.cloud).compute
                return [s.id for s in compute.servers(name=pattern) if s.name == name]
        except (sdk.SDKException, ks.ClientException) as error:
            raise Unreachable(
                f"cannot look up server {name!r} in Nova ({type(error).__name__}); "
                "give the server's id"
            ) from None


def authenticate(credentials: Credentials) -> Session:
    """A token and the gateway's URL: from --os-token and --draas-url as given, or else from
    Keystone (the token of the configured cloud, the URL from its catalog unless
    --draas-url names it).

    :raises Unreachable: no or incomplete credentials, Keystone refuses them or does not
        answer, or the catalog has no disaster-recovery endpoint.
    """
    if credentials.token and credentials.draas_url:
        return Session(credentials.token, credentials.draas_url, credentials.verify())
    region = _cloud_region(credentials)
    with _quiet(), _keystone_errors(credentials, _auth_url(region)):
        session = region.get_session()
        token = session.get_token()
        if not token:
            raise Unreachable(f"Keystone gave no token; {HOW_TO_AUTHENTICATE}")
        url = credentials.draas_url or _catalog_url(
            session, region.region_name or None, str(region.config.get("interface") or "public")
        )
    verify = region.get_requests_verify_args()[0]
    return Session(token, url, True if verify is None else verify, region)


def token_of(cloud: str, like: Credentials) -> str:
    """A Keystone token of the cloud named `cloud` in clouds.yaml (verified as `like` says):
    the proof of a project at another site.

    :raises Unreachable: the cloud is unknown, or its Keystone refuses or does not answer.
    """
    credentials = Credentials(cloud=cloud, cacert=like.cacert, insecure=like.insecure)
    region = _cloud_region(credentials)
    with _quiet(), _keystone_errors(credentials, _auth_url(region)):
        token = region.get_session().get_token()
    if not token:
        raise Unreachable(f"Keystone of cloud {cloud!r} gave no token")
    return str(token)


def _cloud_region(credentials: Credentials) -> Any:
    from keystoneauth1 import exceptions as ks  # noqa: PLC0415
    from openstack import exceptions as sdk  # noqa: PLC0415
    from openstack.config import loader  # noqa: PLC0415

    options = credentials.sdk_options()
    options.setdefault("api_timeout", KEYSTONE_TIMEOUT_SECONDS)
    try:
        with _quiet():
            config = loader.OpenStackConfig(app_name="draas")
            return config.get_one(cloud=credentials.cloud, **options)
    except ks.MissingRequiredOptions as error:
        missing = ", ".join(option.name for option in error.options)
        raise Unreachable(
            f"no OpenStack credentials (missing {missing}): {HOW_TO_AUTHENTICATE}"
        ) from None
    except ks.NoMatchingPlugin as error:
        raise Unreachable(f"unknown OpenStack auth type {error.name!r}") from None
    except sdk.ConfigException as error:
        message = credentials.redact(str(error))
        raise Unreachable(f"OpenStack configuration: {message}") from None
    except yaml.YAMLError as error:
        # Only where: the text around the mistake could be a password.
        mark = getattr(error, "problem_mark", None)
        where = f" ({mark.name}, line {mark.line + 1})" if mark is not None else ""
        raise Unreachable(f"clouds.yaml is not valid YAML{where}") from None


def _auth_url(region: Any) -> str:
    auth = region.config.get("auth") or {}
    return str(auth.get("auth_url") or "the configured auth_url")


def _catalog_url(session: Any, region_name: str | None, interface: str) -> str:
    from keystoneauth1 import exceptions as ks  # noqa: PLC0415

    where = f" in region {region_name}" if region_name else ""
    try:
        url = session.get_endpoint(
            service_type=SERVICE_TYPE,
            interface=interface,
            region_name=region_name,
            skip_discovery=True,
        )
    except ks.EndpointNotFound:
        url = None
    if not url:
        raise Unreachable(
            f"the Keystone catalog has no {interface} {SERVICE_TYPE} endpoint{where}: "
            "pass --draas-url or set DRAAS_URL to the draas gateway, or pick the region "
            "with --os-region-name"
        )
    return str(url)


@contextmanager
def _keystone_errors(credentials: Credentials, auth_url: str) -> Iterator[None]:
    from keystoneauth1 import exceptions as ks  # noqa: PLC0415
    from openstack import exceptions as sdk  # noqa: PLC0415

    try:
        yield
    except ks.Unauthorized as error:
        said = credentials.redact(str(error).split(" (HTTP ")[0].strip())
        raise Unreachable(
            f"Keystone at {auth_url} refused the credentials"
            + (f" ({said})" if said else "")
            + ": check the user name, password, project and their domains"
        ) from None
    except ks.SSLError:
        raise Unreachable(
            f"cannot verify Keystone's certificate at {auth_url}: set OS_CACERT (--os-cacert)"
        ) from None
    except ks.ConnectionError as error:
        raise Unreachable(
            f"cannot reach Keystone at {auth_url} ({type(error).__name__}): check OS_AUTH_URL "
            "or the cloud's auth_url in clouds.yaml"
        ) from None
    except ks.DiscoveryFailure:
        raise Unreachable(
            f"no Keystone v3 answers at {auth_url}: check OS_AUTH_URL or the cloud's auth_url"
        ) from None
    except ks.ClientException as error:
        message = credentials.redact(str(error))
        raise Unreachable(f"cannot authenticate with Keystone at {auth_url}: {message}") from None
    except sdk.SDKException as error:
        message = credentials.redact(str(error))
        raise Unreachable(f"OpenStack configuration: {message}") from None


@contextmanager
def _quiet() -> Iterator[None]:
    # The libraries warn and log about their own workings (future API changes, a version
    # discovery that failed before a clearer error); the CLI says what failed itself.
    for name in ("keystoneauth", "openstack"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
