"""The queue server: owns all state; kiosks, consoles and boards talk to it over HTTP and its event stream."""
