"""Machine entry points: the JSON API, the health check and the OpenAPI document."""
