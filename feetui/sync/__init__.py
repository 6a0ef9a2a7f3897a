"""Sync with headquarters: the wire protocol (shared with the server), pusher and puller."""
