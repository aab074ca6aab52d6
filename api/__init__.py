"""HTTP adapter: app factory, dependencies, error mapping, OAuth2 endpoints and routers."""
