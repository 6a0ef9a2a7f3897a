"""Receipt and report layouts, ESC/POS rendering and printer devices."""
