"""HTTP plumbing shared by the routers: errors, authentication, access to the services."""
