"""One APIRouter per area of the API; `api.app` includes them all."""
