"""The JSON API under /api/v1/: mounts each app's router (see docs/api.md)."""

from ninja import NinjaAPI

api = NinjaAPI(title="Bangban API", version="1", urls_namespace="api")
