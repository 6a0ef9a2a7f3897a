"""Modal dialogs that collect input and return a typed result."""
