"""Glance v2: images, list (with filters and paging) and get, plus metadata-only create and
delete for seeding; the image schemas glanceclient builds its image model from."""

from __future__ import annotations

import time
from typing import Any

from simulators.openstack.errors import ApiError, bad_request, not_found
from simulators.openstack.listing import page
from simulators.openstack.routing import Call, Router, ok
from simulators.openstack.store import Image, iso_seconds, new_id

router = Router()


def versions(base_url: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"v2.{n}",
            "status": "CURRENT" if n == 16 else "SUPPORTED",
            "links": [{"rel": "self", "href": f"{base_url}/image/v2/"}],
        }
        for n in range(16, -1, -1)
    ]


def _visible(call: Call, image: Image) -> bool:
    return (
        image.visibility in ("public", "community")
        or image.owner == call.caller.project_id
        or call.caller.is_admin
    )


def render(image: Image) -> dict[str, Any]:
    return {
        "id": image.id,
        "name": image.name,
        "status": "active",
        "visibility": image.visibility,
        "disk_format": image.disk_format,
        "container_format": image.container_format,
        "size": image.size,
        "virtual_size": None,
        "min_disk": image.min_disk,
        "min_ram": image.min_ram,
        "protected": False,
        "tags": [],
        "owner": image.owner,
        "checksum": None,
        "os_hidden": False,
        "created_at": iso_seconds(image.created_at),
        "updated_at": iso_seconds(image.created_at),
        "self": f"/v2/images/{image.id}",
        "file": f"/v2/images/{image.id}/file",
        "schema": "/v2/schemas/image",
        **image.properties,
    }


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": ["null", kind], **extra}


_DISK_FORMATS = ["ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"]
_CONTAINER_FORMATS = ["ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"]


def image_schema() -> dict[str, Any]:
    """Glance's `image` schema: the core properties, and any other one a string."""
    return {
        "name": "image",
        "properties": {
            "id": {
                "type": "string",
                "description": "An identifier for the image",
                "pattern": "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}"
                "-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$",
            },
            "name": _nullable("string", maxLength=255),
            "status": {
                "type": "string",
                "readOnly": True,
                "enum": [
                    "queued",
                    "saving",
                    "active",
                    "killed",
                    "deleted",
                    "uploading",
                    "importing",
                    "pending_delete",
                    "deactivated",
                ],
            },
            "visibility": {
                "type": "string",
                "enum": ["community", "public", "private", "shared"],
            },
            "protected": {"type": "boolean"},
            "os_hidden": {"type": "boolean"},
            "checksum": _nullable("string", readOnly=True, maxLength=32),
            "os_hash_algo": _nullable("string", readOnly=True, maxLength=64),
            "os_hash_value": _nullable("string", readOnly=True, maxLength=128),
            "owner": _nullable("string", maxLength=255),
            "size": _nullable("integer", readOnly=True),
            "virtual_size": _nullable("integer", readOnly=True),
            "container_format": _nullable("string", enum=[None, *_CONTAINER_FORMATS]),
            "disk_format": _nullable("string", enum=[None, *_DISK_FORMATS]),
            "created_at": {"type": "string", "readOnly": True},
            "updated_at": {"type": "string", "readOnly": True},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 255}},
            "direct_url": {"type": "string", "readOnly": True},
            "min_ram": {"type": "integer"},
            "min_disk": {"type": "integer"},
            "self": {"type": "string", "readOnly": True},
            "file": {"type": "string", "readOnly": True},
            "stores": {"type": "string", "readOnly": True},
            "schema": {"type": "string", "readOnly": True},
            "locations": {"type": "array", "items": {"type": "object"}},
        },
        "additionalProperties": {"type": "string"},
        "links": [
            {"rel": "self", "href": "{self}"},
            {"rel": "enclosure", "href": "{file}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


@router.add("GET", "/schemas/image")
def get_image_schema(call: Call) -> Any:
    return ok(image_schema())


@router.add("GET", "/schemas/images")
def get_images_schema(call: Call) -> Any:
    return ok(
        {
            "name": "images",
            "properties": {
                "images": {"type": "array", "items": image_schema()},
                "schema": {"type": "string"},
                "first": {"type": "string"},
                "next": {"type": "string"},
            },
            "links": [
                {"rel": "first", "href": "{first}"},
                {"rel": "next", "href": "{next}"},
                {"rel": "describedby", "href": "{schema}"},
            ],
        }
    )


@router.add("GET", "/images")
def list_images(call: Call) -> Any:
    images = [i for i in call.store.images.values() if _visible(call, i)]
    for key in ("name", "visibility", "disk_format", "container_format", "owner"):
        if call.query.get(key):
            images = [i for i in images if str(getattr(i, key)) == call.query[key]]
    if call.query.get("status") not in (None, "", "active"):
        images = []
    rendered = [render(i) for i in sorted(images, key=lambda i: (i.created_at, i.id), reverse=True)]
    chunk, marker = page(rendered, call.query)
    body: dict[str, Any] = {"images": chunk, "first": "/v2/images", "schema": "/v2/schemas/images"}
    if marker:
        body["next"] = f"/v2/images?marker={marker}&limit={call.query['limit']}"
    return ok(body)


@router.add("GET", "/images/{id}")
def get_image(call: Call) -> Any:
    image = call.store.images.get(call.params["id"])
    if image is None or not _visible(call, image):
        raise not_found("Image", call.params["id"])
    return ok(render(image))


@router.add("POST", "/images")
def create_image(call: Call) -> Any:
    call.require_write()
    spec = call.body
    if spec.get("visibility") == "public":
        call.require_admin()
    known = {
        "name",
        "visibility",
        "disk_format",
        "container_format",
        "min_disk",
        "min_ram",
        "id",
        "tags",
        "protected",
    }
    image_id = str(spec.get("id") or new_id())
    if image_id in call.store.images:
        raise ApiError(409, f"Image with identifier {image_id} already exists!")
    try:
        image = Image(
            image_id,
            str(spec.get("name") or ""),
            call.project(),
            time.time(),
            disk_format=str(spec.get("disk_format") or "qcow2"),
            container_format=str(spec.get("container_format") or "bare"),
            visibility=str(spec.get("visibility") or "shared"),
            min_disk=int(spec.get("min_disk") or 0),
            min_ram=int(spec.get("min_ram") or 0),
            properties={k: str(v) for k, v in spec.items() if k not in known},
        )
    except (TypeError, ValueError):
        raise bad_request("Invalid image attributes.") from None
    call.store.images[image.id] = image
    return ok(render(image), 201)


@router.add("DELETE", "/images/{id}")
def delete_image(call: Call) -> Any:
    call.require_write()
    image = call.store.images.get(call.params["id"])
    if image is None or not _visible(call, image):
        raise not_found("Image", call.params["id"])
    if image.owner != call.caller.project_id:
        call.require_admin()
    del call.store.images[image.id]
    return ok(status=204)
